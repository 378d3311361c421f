import Foundation
import XCTest
import TorProto

/// Hex to bytes; whitespace and newlines are ignored.
func hex(_ text: String) -> [UInt8] {
    let cleaned = text.filter { !$0.isWhitespace }
    guard let bytes = bytesFromHex(cleaned) else { fatalError("bad hex in test: \(text)") }
    return bytes
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { fatalError("bad date in test: \(text)") }
    return date
}

func XCTAssertBytes(_ actual: [UInt8], _ expected: [UInt8], _ message: String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(hexString(actual), hexString(expected), message, file: file, line: line)
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrows<E: Error & Equatable, T>(_ expected: E, _ body: () throws -> T,
                                            file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected \(expected) to be thrown", file: file, line: line)
    } catch let error as E {
        XCTAssertEqual(error, expected, file: file, line: line)
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}

/// The text of a fixture from arti's testdata (see Fixtures/README.md).
func fixture(_ name: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
        throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "missing fixture \(name)"])
    }
    return Array(try Data(contentsOf: url))
}
