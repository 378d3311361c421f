import Devices
import Foundation
import XCTest

/// Inputs found by the libFuzzer targets (Fuzz/, scripts/fuzz) that crashed a parser; each must
/// now be rejected with an error. (HTTPResponseParser lives in Devices, which has no unit-test
/// target of its own here; TorClientTests is the one that links it.)
final class FuzzRegressionTests: XCTestCase {
    /// Feeds `bytes` in `piece`-byte pieces, then ends the stream, as a connection would.
    func parse(_ bytes: [UInt8], piece: Int) throws -> HTTPResponse {
        var parser = HTTPResponseParser(maxHeaderBytes: 4096, maxBodyBytes: 64 * 1024)
        for start in stride(from: 0, to: bytes.count, by: piece) {
            if let response = try parser.feed(Array(bytes[start..<min(start + piece, bytes.count)])) { return response }
        }
        return try parser.finish()
    }

    func assertMalformed(_ bytes: [UInt8], piece: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(bytes, piece: piece), file: file, line: line) { error in
            guard case .malformed = error as? HTTPError else {
                return XCTFail("expected HTTPError.malformed, got \(error)", file: file, line: line)
            }
        }
    }

    /// fuzz-http-response crash-0ae0dbe2…: a chunk size of "-5" parsed as -5 by Int(_:radix:),
    /// and the chunk-data phase then sliced buffer[0..<-5] (a trap).
    func testNegativeChunkSizeFromFuzzer() throws {
        // The fuzzer's input: control byte 0x7e (body expected, 253-byte pieces), then the stream.
        let input = [UInt8](Data(base64Encoded: "fkhUVFAvMS4xIDIwMCBPuUhUVFAvMS4xIDIwMCBPufKsi5b+SFR7VHsge3sBVHJhbnNmZXItRU9LDQpDb250ZW50LVR5cGU6IHRleHQvNSBPQQ0KVHJhbnNmZXItRW5jb2Rpbmc6IGNodW5rZWQNCg0KLTU7ZXh0PTENCmhlbGxvDQowDQpYLf////////////////////9iLjEgMjBLDQpUdHJhbnNmZXItZW5uY29kaW5nOiBjaHVua2VkDQoNCjU7ZXh0PTENCmhlbGxvDQorDQpYcjogeQ0KbWUiOgA=")!)
        assertMalformed(Array(input.dropFirst()), piece: Int(input[0] >> 1) * 4 + 1)
    }

    func testSignedChunkSizesAreMalformed() {
        for size in ["-5", "+5", "-0", " -1"] {
            let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n"
            assertMalformed(Array(response.utf8), piece: 1000)
            assertMalformed(Array(response.utf8), piece: 1)
        }
        // A well-formed chunked body still parses.
        let good = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n"
        XCTAssertEqual(try parse(Array(good.utf8), piece: 3).body, Array("hello".utf8))
    }
}
