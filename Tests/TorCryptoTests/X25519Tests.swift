import XCTest
@testable import TorCrypto

final class X25519Tests: XCTestCase {
    // RFC 7748 §5.2 (as in arti crates/tor-llcrypto/tests/testvec.rs `tv_curve25519`).
    func testRFC7748Section5_2() throws {
        let k1 = try X25519PrivateKey(rawRepresentation: hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"))
        XCTAssertBytes(try k1.sharedSecret(with: hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")),
                       hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"))
        // The second vector's u-coordinate has its top bit set (must be masked).
        let k2 = try X25519PrivateKey(rawRepresentation: hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"))
        XCTAssertBytes(try k2.sharedSecret(with: hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")),
                       hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"))
    }

    // RFC 7748 §6.1 (as in C tor src/test/test_crypto.c `test_crypto_curve25519_testvec`).
    func testRFC7748Section6_1() throws {
        let a = try X25519PrivateKey(rawRepresentation: hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let b = try X25519PrivateKey(rawRepresentation: hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        XCTAssertBytes(a.publicKey, hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
        XCTAssertBytes(b.publicKey, hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
        let k = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        XCTAssertBytes(try a.sharedSecret(with: b.publicKey), k)
        XCTAssertBytes(try b.sharedSecret(with: a.publicKey), k)
        XCTAssertBytes(a.rawRepresentation, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
    }

    func testAllZeroSharedSecretRejected() throws {
        let k = X25519PrivateKey.generate()
        // u = 0 and u = 1 are small-order points: the result is all zeros.
        var one = [UInt8](repeating: 0, count: 32); one[0] = 1
        for bad in [[UInt8](repeating: 0, count: 32), one] {
            XCTAssertThrowsError(try k.sharedSecret(with: bad)) { error in
                XCTAssertEqual(error as? CryptoError, .allZeroSharedSecret)
            }
        }
    }

    func testLengthsAndGeneration() throws {
        XCTAssertThrowsError(try X25519PrivateKey(rawRepresentation: [1, 2, 3])) { error in
            XCTAssertEqual(error as? CryptoError, .invalidKeyLength(expected: 32, got: 3))
        }
        let a = X25519PrivateKey.generate(), b = X25519PrivateKey.generate()
        XCTAssertThrowsError(try a.sharedSecret(with: Array(b.publicKey.prefix(31))))
        XCTAssertNotEqual(a.publicKey, b.publicKey)
        XCTAssertBytes(try a.sharedSecret(with: b.publicKey), try b.sharedSecret(with: a.publicKey))
    }
}
