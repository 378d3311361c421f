import XCTest
import TorCrypto

/// BLAKE2b in TorCrypto: RFC 7693 Appendix A, and libsodium-compatible keyless outputs.
final class Blake2bTests: XCTestCase {
    func testRFC7693Abc() throws {
        XCTAssertEqual(toHex(try Blake2b.hash(Array("abc".utf8), digestLength: 64)),
                       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                       + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    /// The empty-message BLAKE2b-512 (the reference implementation's known-answer value), and a
    /// message longer than one block.
    func testEmptyAndMultiBlock() throws {
        XCTAssertEqual(toHex(try Blake2b.hash([], digestLength: 64)),
                       "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                       + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")
        let long = [UInt8](repeating: 0x61, count: 300)
        var incremental = try Blake2b(digestLength: 32)
        incremental.update(Array(long[0..<128])); incremental.update(Array(long[128...]))
        XCTAssertEqual(incremental.finalize(), try Blake2b.hash(long, digestLength: 32))
    }

    func testBadParametersAreRefused() {
        XCTAssertThrowsError(try Blake2b(digestLength: 0)) { XCTAssertEqual($0 as? Blake2b.ParameterError, .digestLength(0)) }
        XCTAssertThrowsError(try Blake2b(digestLength: 65)) { XCTAssertEqual($0 as? Blake2b.ParameterError, .digestLength(65)) }
        XCTAssertThrowsError(try Blake2b(digestLength: 8, salt: [UInt8](repeating: 0, count: 17)))
    }
}
