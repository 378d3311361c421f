import Foundation
import XCTest
@testable import OnionctlCLI

/// `--json` stays exact and is still safe to show on a terminal.
final class JSONOutputTests: XCTestCase {
    struct Named: Codable, Equatable { var name: String }

    func testControlCharactersAreEscapedAndParseBackExactly() throws {
        let hostile = Named(name: "\u{1b}]0;pwned\u{07}Living \u{7f}room\u{1b}[2J\u{9b}31m °C é")
        let encoded = terminalSafeJSON(try JSONEncoder().encode(hostile))
        let text = String(decoding: encoded, as: UTF8.self)
        XCTAssertTrue(text.contains(#"\u001b]0;pwned\u0007Living \u007froom\u001b[2J\u009b31m °C é"#), text)
        XCTAssertFalse(encoded.contains(0x1b))
        XCTAssertFalse(encoded.contains(0x7f))
        XCTAssertFalse(text.unicodeScalars.contains { (0x80...0x9f).contains($0.value) }, "no raw C1 in the output")
        XCTAssertEqual(try JSONDecoder().decode(Named.self, from: encoded), hostile, "the exact text parses back")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: encoded) as? [String: String])
        XCTAssertEqual(object["name"], hostile.name)
    }

    func testOrdinaryJSONIsUnchanged() throws {
        let data = try JSONEncoder().encode(["a": "21.5 °C", "b": "Ünïcödé \u{a0}x"])
        XCTAssertEqual(terminalSafeJSON(data), data)
    }
}
