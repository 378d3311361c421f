import XCTest
import TorCrypto
import TorProto
@testable import OnionService

/// rend-spec-v3.txt Appendix G.1 (hs-ntor test vectors); the same values are in arti
/// crates/tor-proto/src/crypto/handshake/hs_ntor.rs fn `testvec`.
final class HsNtorTests: XCTestCase {
    let authKey = hex("34E171E4358E501BFF21ED907E96AC6BFEF697C779D040BBAF49ACC30FC5D21F")
    let encKey = hex("8E5127A40E83AABF6493E41F142B6EE3604B85A3961CD7E38D247239AFF71979")
    let subcredential = hex("0085D26A9DEBA252263BF0231AEAC59B17CA11BAD8A218238AD6487CBAD68B57")
    let x = hex("60B4D6BF5234DCF87A4E9D7487BDF3F4A69B6729835E825CA29089CFDDA1E341")
    let bigX = hex("BF04348B46D09AED726F1D66C618FDEA1DE58E8CB8B89738D7356A0C59111D5D")

    func client() throws -> HsNtorClient {
        try HsNtorClient(authKey: authKey, encKey: encKey, subcredential: subcredential,
                         ephemeralKey: X25519PrivateKey(rawRepresentation: x))
    }

    func testIntroduce1Vector() throws {
        let client = try client()
        XCTAssertBytes(client.ephemeralKey.publicKey, bigX)
        let keys = try client.introKeys()
        XCTAssertBytes(keys.encKey, hex("9B8917BA3D05F3130DACCE5300C3DC27F6D012912F1C733036F822D0ED238706"))
        XCTAssertBytes(keys.macKey, hex("FC4058DA59D4DF61E7B40985D122F502FD59336BC21C30CAF5E7F0D4A2C38FD5"))
        XCTAssertBytes(client.header, hex("""
            000000000000000000000000000000000000000002002034E171E4358E501BFF
            21ED907E96AC6BFEF697C779D040BBAF49ACC30FC5D21F00
            """))
        // The vector's plaintext: cookie, one extension (type 1, empty: congestion control),
        // the RP's ntor key, 3 link specifiers (127.0.0.1:5001, RSA id, Ed25519 id), zero padding.
        let body = try client.introduce1Body(
            rendezvousCookie: hex("6BD364C12638DD5C3BE23D76ACA05B04E6CE932C"),
            rendezvousOnionKey: hex("0de6130e4fcac4edda24e21220cc3eadae403ef6b7d11c8273ac71908de56545"),
            rendezvousLinkSpecifiers: [
                .ipv4(address: [127, 0, 0, 1], port: 5001),
                .legacyID(hex("f823c4f8cc085c792e0aee0283fe00ad7520b37d")),
                .ed25519ID(hex("728d5df39b7b7077a0118a900ff4456c382f0041300acf9c58e51c392795ef87")),
            ],
            extensions: [.congestionControlRequest])
        XCTAssertBytes(body, hex("""
            000000000000000000000000000000000000000002002034E171E4358E501BFF
            21ED907E96AC6BFEF697C779D040BBAF49ACC30FC5D21F00BF04348B46D09AED
            726F1D66C618FDEA1DE58E8CB8B89738D7356A0C59111D5DADBECCCB38E37830
            4DCC179D3D9E437B452AF5702CED2CCFEC085BC02C4C175FA446525C1B9D5530
            563C362FDFFB802DAB8CD9EBC7A5EE17DA62E37DEEB0EB187FBB48C63298B0E8
            3F391B7566F42ADC97C46BA7588278273A44CE96BC68FFDAE31EF5F0913B9A9C
            7E0F173DBC0BDDCD4ACB4C4600980A7DDD9EAEC6E7F3FA3FC37CD95E5B8BFB3E
            35717012B78B4930569F895CB349A07538E42309C993223AEA77EF8AEA64F25D
            DEE97DA623F1AEC0A47F150002150455845C385E5606E41A9A199E7111D54EF2
            D1A51B7554D8B3692D85AC587FB9E69DF990EFB776D8
            """))
    }

    func testRendezvous2Vector() throws {
        let client = try client()
        let reply = hex("""
            8fbe0db4d4a9c7ff46701e3e0ee7fd05cd28be4f302460addeec9e93354ee700
            4A92E8437B8424D5E5EC279245D5C72B25A0327ACF6DAF902079FCB643D8B208
            """)
        let result = try client.complete(rendezvous2: reply)
        let seed = hex("4D0C72FE8AFF35559D95ECC18EB5A36883402B28CDFD48C8A530A5A3D7D578DB")
        XCTAssertBytes(result.ntorKeySeed, seed)
        XCTAssertBytes(result.keyMaterial,
                       Hash.shake256(seed + Array("tor-hs-ntor-curve25519-sha3-256-1:hs_key_expand".utf8), outputLength: 128))
        XCTAssertEqual(result.hopKeys.forwardDigestSeed, Array(result.keyMaterial[0..<32]))

        var tampered = reply
        tampered[40] ^= 1
        XCTAssertThrows(HsNtorError.authenticationFailed) { try client.complete(rendezvous2: tampered) }
        // An all-zero (small-order) Y is rejected.
        XCTAssertThrows(HsNtorError.authenticationFailed) {
            try client.complete(rendezvous2: [UInt8](repeating: 0, count: 32) + Array(reply[32...]))
        }
    }

    func testPaddingWithoutExtensions() throws {
        let body = try client().introduce1Body(rendezvousCookie: [UInt8](repeating: 1, count: 20),
                                               rendezvousOnionKey: [UInt8](repeating: 2, count: 32),
                                               rendezvousLinkSpecifiers: [.ipv4(address: [10, 0, 0, 1], port: 9001)])
        // header 56 + plaintext padded to 190, then X 32 and MAC 32.
        XCTAssertEqual(body.count, 246 + 32 + 32)
        XCTAssertEqual(HsNtorClient.makeRendezvousCookie(random: { [UInt8](repeating: 9, count: $0) }),
                       [UInt8](repeating: 9, count: 20))
    }

    func testIntroduceAck() throws {
        XCTAssertEqual(try IntroduceAck(body: [0, 0, 0]).status, .success)
        XCTAssertEqual(try IntroduceAck(body: [0, 1, 0]).status, .serviceNotRecognized)
        XCTAssertEqual(try IntroduceAck(body: [0, 2, 0]).status, .badMessageFormat)
        XCTAssertEqual(try IntroduceAck(body: [0, 3, 0]).status, .cantRelay)
        XCTAssertEqual(try IntroduceAck(body: [0, 9]).status, .unknown(9))
        let ack = try IntroduceAck(body: [0, 0, 1, 5, 2, 0xAA, 0xBB])
        XCTAssertEqual(ack.extensions, [.init(type: 5, body: [0xAA, 0xBB])])
        XCTAssertEqual(ack.encoded(), [0, 0, 1, 5, 2, 0xAA, 0xBB])
        XCTAssertThrowsError(try IntroduceAck(body: [0]))
        XCTAssertTrue(IntroduceAck.Status.cantRelay.shouldTryAnotherIntroPoint)
    }
}
