import Devices
import Foundation
import XCTest

/// Device and relay text never reaches the terminal raw (docs/reliability.md, "Terminal safety").
final class TerminalSafeTextTests: XCTestCase {
    func testC0ControlsAndDELAreShownAsHexEscapes() {
        XCTAssertEqual(TerminalSafeText.escape("a\u{00}b\u{07}c\u{08}d\u{7f}e"), #"a\x00b\x07c\x08d\x7fe"#)
        XCTAssertEqual(TerminalSafeText.escape("line1\nline2\r\tx"), #"line1\x0aline2\x0d\x09x"#)
        for value in UInt32(0)..<0x20 {
            let escaped = TerminalSafeText.escape(String(Unicode.Scalar(value)!))
            XCTAssertEqual(escaped, String(format: "\\x%02x", value))
        }
    }

    func testC1ControlsAreShownAsHexEscapes() {
        XCTAssertEqual(TerminalSafeText.escape("\u{9b}31m red"), #"\x9b31m red"#)
        XCTAssertEqual(TerminalSafeText.escape("\u{80}\u{85}\u{9d}\u{9f}"), #"\x80\x85\x9d\x9f"#)
        XCTAssertEqual(TerminalSafeText.escape("\u{a0}"), "\u{a0}", "U+00A0 (no-break space) is printable")
    }

    func testEscapeSequencesLoseTheirEscapeCharacter() {
        let hostile = "\u{1b}]0;pwned\u{07}Living room\u{1b}[2J\u{9b}31m"
        let shown = TerminalSafeText.escape(hostile)
        XCTAssertEqual(shown, #"\x1b]0;pwned\x07Living room\x1b[2J\x9b31m"#)
        XCTAssertTrue(shown.unicodeScalars.allSatisfy(TerminalSafeText.isSafe))
        XCTAssertEqual(hostile.terminalSafe, shown)
    }

    func testValidMultiByteTextIsKeptIntact() {
        for text in ["21.5 °C", "Salle à manger", "Küche – Ölheizung", "温度計", "🌡️ porch", "e\u{301}t\u{e9}"] {
            XCTAssertEqual(TerminalSafeText.escape(text), text)
            XCTAssertEqual(TerminalSafeText.escape(bytes: Array(text.utf8)), text)
        }
        XCTAssertEqual(TerminalSafeText.escape("°C\u{1b}[0m après"), #"°C\x1b[0m après"#)
    }

    func testInvalidUTF8BytesAreShownAsHexEscapes() {
        XCTAssertEqual(TerminalSafeText.escape(bytes: [0x41, 0xFF, 0x42]), #"A\xffB"#)
        // A lone continuation byte, a truncated sequence, and an encoded C1 control (C2 9B).
        XCTAssertEqual(TerminalSafeText.escape(bytes: [0x80, 0x20, 0xE2, 0x82, 0x20, 0xC2, 0x9B]), #"\x80 \xe2\x82 \x9b"#)
        XCTAssertEqual(TerminalSafeText.escape(bytes: Array("°C".utf8) + [0x1B, 0x5B, 0x32, 0x4A]), #"°C\x1b[2J"#)
        XCTAssertEqual(TerminalSafeText.escape(bytes: []), "")
    }

    func testLineBreaksAreKeptOnlyWhenAskedFor() {
        let body = "first\r\nsecond\n\tthird\rover\u{1b}[2J"
        XCTAssertEqual(TerminalSafeText.escape(body, keepingLineBreaks: true), "first\r\nsecond\n\tthird\\x0dover\\x1b[2J")
        XCTAssertEqual(TerminalSafeText.escape(bytes: Array(body.utf8), keepingLineBreaks: true),
                       "first\r\nsecond\n\tthird\\x0dover\\x1b[2J")
        XCTAssertEqual(TerminalSafeText.escape("a\nb"), #"a\x0ab"#)
    }

    func testSafeTextIsReturnedUnchanged() {
        let text = String(repeating: "plain ASCII and ünïcödé ", count: 50)
        XCTAssertEqual(TerminalSafeText.escape(text), text)
    }
}
