import XCTest
@testable import TorCrypto

final class Ed25519Tests: XCTestCase {
    // (seed, public key, signature, message). RFC 8032 §7.1 TEST 1, TEST 2 and TEST SHA(abc)
    // from C tor src/test/test_crypto.c `test_crypto_ed25519_test_vectors`; TEST 3 from arti
    // crates/tor-llcrypto/tests/testvec.rs `tv_ed25519`.
    static let vectors: [(String, String, String, String)] = [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
         ""),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
         "72"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
         "af82"),
        ("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
         "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
         "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ]

    func testRFC8032SignAndVerify() throws {
        for (seed, pk, sig, msg) in Self.vectors {
            let key = try Ed25519PrivateKey(seed: hex(seed))
            XCTAssertBytes(key.publicKey, hex(pk))
            XCTAssertBytes(key.seed, hex(seed))
            XCTAssertBytes(key.sign(hex(msg)), hex(sig))
            XCTAssertTrue(Ed25519.verify(signature: hex(sig), message: hex(msg), publicKey: hex(pk)))
            XCTAssertTrue(Ed25519.isValidPoint(hex(pk)))
        }
    }

    func testTamperedInputsFail() {
        for (_, pk, sig, msg) in Self.vectors {
            var badSig = hex(sig); badSig[10] ^= 0x01
            XCTAssertFalse(Ed25519.verify(signature: badSig, message: hex(msg), publicKey: hex(pk)))
            let badMsg = hex(msg) + [0]
            XCTAssertFalse(Ed25519.verify(signature: hex(sig), message: badMsg, publicKey: hex(pk)))
            var badKey = hex(pk); badKey[0] ^= 0x02
            XCTAssertFalse(Ed25519.verify(signature: hex(sig), message: hex(msg), publicKey: badKey))
            XCTAssertFalse(Ed25519.verify(signature: Array(hex(sig).prefix(63)), message: hex(msg), publicKey: hex(pk)))
            XCTAssertFalse(Ed25519.verify(signature: hex(sig), message: hex(msg), publicKey: []))
        }
        // RFC 8032 TEST 3's signature does not cover the empty message (arti `tv_ed25519`).
        let (_, pk, sig, _) = Self.vectors[2]
        XCTAssertFalse(Ed25519.verify(signature: hex(sig), message: [], publicKey: hex(pk)))
    }

    func testInvalidPoints() {
        // The identity point (0, 1) has small order; so does all-zero (y = 0, order 4).
        var identity = [UInt8](repeating: 0, count: 32); identity[0] = 1
        XCTAssertFalse(Ed25519.isValidPoint(identity))
        XCTAssertFalse(Ed25519.isValidPoint([UInt8](repeating: 0, count: 32)))
        XCTAssertFalse(Ed25519.isValidPoint([1, 2, 3]))
    }

    func testGenerateAndBadSeed() throws {
        let k = Ed25519PrivateKey.generate()
        let msg = bytes("onionctl")
        XCTAssertTrue(Ed25519.verify(signature: k.sign(msg), message: msg, publicKey: k.publicKey))
        XCTAssertBytes(try Ed25519PrivateKey(seed: k.seed).publicKey, k.publicKey)
        XCTAssertThrowsError(try Ed25519PrivateKey(seed: [UInt8](repeating: 0, count: 31))) { error in
            XCTAssertEqual(error as? CryptoError, .invalidKeyLength(expected: 32, got: 31))
        }
    }
}
