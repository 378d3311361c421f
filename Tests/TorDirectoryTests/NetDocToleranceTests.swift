import XCTest
import TorDirectory

/// One test per rule of docs/netdoc-tolerance.md: what NetDocument accepts and refuses, after
/// C tor's tokenizer (src/feature/dirparse/parsecommon.c `get_next_token`,
/// src/lib/encoding/binascii.c `base64_decode`). Where the rule changed, the test fails on the
/// tokenizer before issue 18.
final class NetDocToleranceTests: XCTestCase {
    /// 40 bytes whose base64 (56 characters, unpadded 54) is split over lines below.
    let payload: [UInt8] = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    var payload64: String { Base64ForTests.encode(payload) }

    func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> NetDocument {
        try NetDocument(string: text)
    }

    func assertError(_ text: String, _ expected: NetDocumentError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NetDocument(string: text), file: file, line: line) { error in
            XCTAssertEqual(error as? NetDocumentError, expected, file: file, line: line)
        }
    }

    func assertObjectError(_ text: String, line expectedLine: Int, detailContains: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NetDocument(string: text), file: file, line: line) { error in
            guard case let .malformedObject(_, errorLine, detail) = error as? NetDocumentError else {
                return XCTFail("expected malformedObject, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(errorLine, expectedLine, "line", file: file, line: line)
            XCTAssertTrue(detail.contains(detailContains), detail, file: file, line: line)
        }
    }

    // Rule 1: the END marker may follow data on the same line (Minitor's layout).
    func testEndMarkerAfterDataOnTheSameLine() throws {
        let split = payload64.index(payload64.startIndex, offsetBy: 30)
        let text = """
            hs-descriptor 3
            descriptor-lifetime 180
            descriptor-signing-key-cert
            -----BEGIN ED25519 CERT-----
            \(payload64[..<split])
            \(payload64[split...])-----END ED25519 CERT-----
            revision-counter 7
            signature abc
            """
        let document = try parse(text)
        XCTAssertEqual(document.items.map(\.keyword),
                       ["hs-descriptor", "descriptor-lifetime", "descriptor-signing-key-cert", "revision-counter", "signature"])
        let cert = document.items[2]
        XCTAssertEqual(cert.object, NetDocument.Object(tag: "ED25519 CERT", bytes: payload, line: 4))
        XCTAssertEqual(cert.line, 3)
        XCTAssertEqual(document.items[3].line, 7)
        XCTAssertEqual(document.items[4].line, 8)
        // The item's byte range ends just past the END line; nothing is rewritten.
        let bytes = Array(text.utf8)
        XCTAssertEqual(document.text, bytes)
        let endLine = Array("-----END ED25519 CERT-----\n".utf8)
        XCTAssertEqual(Array(bytes[(cert.endOffset - endLine.count)..<cert.endOffset]), endLine)
        XCTAssertEqual(document.items[3].startOffset, cert.endOffset)
        // Also with nothing after the END marker (Minitor ends its layers without a newline).
        let last = try parse("encrypted\n-----BEGIN MESSAGE-----\n\(payload64)-----END MESSAGE-----")
        XCTAssertEqual(last.items.first?.object?.bytes, payload)
        XCTAssertEqual(last.items.first?.endOffset, last.text.count)
    }

    // Rule 2: from "-----END " to the end of its line must be exactly "-----END <BEGIN's tag>-----".
    func testEndLineMustMatchTheBeginTagExactly() {
        assertObjectError("k\n-----BEGIN MESSAGE-----\n\(payload64)-----END MESSAGES-----\n",
                          line: 2, detailContains: "mismatched END line at line 3")
        assertObjectError("k\n-----BEGIN MESSAGE-----\n\(payload64)\n-----END MESSAGE----- x\n",
                          line: 2, detailContains: "mismatched END line at line 4")
        assertObjectError("k\n-----BEGIN MESSAGE-----\n\(payload64)\n-----END MESSAGE-----junk\n",
                          line: 2, detailContains: "mismatched END line")
        assertObjectError("k\n-----BEGIN MESSAGE-----\n\(payload64)\n-----END SIGNATURE-----\n",
                          line: 2, detailContains: "mismatched END line")
    }

    // Rule 3: an object error names the line where the object starts (its BEGIN line).
    func testObjectErrorsNameTheBeginLine() {
        // The issue's case: the END line is several lines after the BEGIN line.
        let text = """
            hs-descriptor 3
            descriptor-lifetime 180
            descriptor-signing-key-cert
            -----BEGIN ED25519 CERT-----
            \(payload64)
            \(payload64)
            \(payload64)
            -----END ED25519 KEY-----
            """
        assertObjectError(text, line: 4, detailContains: "at line 8")
        assertObjectError("a\nb\n-----BEGIN X-----\nAAAA\n", line: 3, detailContains: "no END line")
        assertObjectError("a\nb\n-----BEGIN X-----\nAA!A\n-----END X-----\n", line: 3, detailContains: "bad base64")
    }

    // Rule 4: whitespace, blank lines and comments may stand between a keyword line and its BEGIN line.
    func testWhitespaceBeforeTheBeginLine() throws {
        let document = try parse("k 1\n\n  \t\n   -----BEGIN X-----\n\(payload64)\n-----END X-----\nnext\n")
        XCTAssertEqual(document.items.map(\.keyword), ["k", "next"])
        XCTAssertEqual(document.items[0].object, NetDocument.Object(tag: "X", bytes: payload, line: 4))
        XCTAssertEqual(document.items[1].line, 7)
    }

    // Rule 5: "#" starts a comment running to the end of the line, between items and in argument lists.
    func testCommentsAreSkipped() throws {
        let document = try parse("# a comment\nk 1 2 #3 4\n   # indented comment\nj x\n# before the object\n-----BEGIN X-----\nAAAA\n-----END X-----\n")
        XCTAssertEqual(document.items.map(\.keyword), ["k", "j"])
        XCTAssertEqual(document.items[0].arguments, ["1", "2"])
        XCTAssertEqual(document.items[0].line, 2)
        XCTAssertEqual(document.items[1].object?.bytes, [0, 0, 0])
        // Onionctl keeps a "#" inside a field in the field (C tor would split there).
        XCTAssertEqual(try parse("k a#b\n").items[0].arguments, ["a#b"])
    }

    // Rule 6: fields are separated by runs of spaces, tabs and CRs; indentation is ignored.
    func testFieldSeparators() throws {
        let document = try parse("  k\ta  \t b\rc\r\n\tj\n")
        XCTAssertEqual(document.items.map(\.keyword), ["k", "j"])
        XCTAssertEqual(document.items[0].arguments, ["a", "b", "c"])
        XCTAssertEqual(document.items[0].startOffset, 0)
        XCTAssertEqual(document.items[1].startOffset, 14)
    }

    // Rule 7: a leading "opt" is dropped (unchanged).
    func testOptPrefix() throws {
        let document = try parse("opt k a b\nopt\tj\nopt\n")
        XCTAssertEqual(document.items.map(\.keyword), ["k", "j", "opt"])
        XCTAssertEqual(document.items[0].arguments, ["a", "b"])
    }

    // Rule 8: at most 512 arguments on a line (C MAX_ARGS).
    func testArgumentLimit() throws {
        let most = "k" + String(repeating: " a", count: NetDocument.maximumArguments) + "\n"
        XCTAssertEqual(try parse(most).items[0].arguments.count, 512)
        assertError("j\n" + "k" + String(repeating: " a", count: 513) + "\n",
                    .tooManyArguments(keyword: "k", count: 513, line: 2))
    }

    // Rule 9: a line is at most 128 KiB (C MAX_LINE_LENGTH).
    func testLineLengthLimit() throws {
        let longest = "k " + String(repeating: "a", count: NetDocument.maximumLineLength - 2)
        XCTAssertEqual(try parse(longest + "\n").items.count, 1)
        assertError("j\n\n" + longest + "a\n", .lineTooLong(line: 3, length: NetDocument.maximumLineLength + 1))
    }

    // Rule 10: an object body is at most 128 KiB of text (C MAX_UNPARSED_OBJECT_SIZE).
    func testObjectSizeLimit() throws {
        let lines = NetDocument.maximumObjectSize / 64
        let body = String(repeating: String(repeating: "A", count: 63) + "\n", count: lines)
        XCTAssertEqual(body.utf8.count, NetDocument.maximumObjectSize)
        let fits = try parse("k\n-----BEGIN X-----\n" + body + "-----END X-----\n")
        XCTAssertEqual(fits.items[0].object?.bytes.count, lines * 63 * 3 / 4)
        assertObjectError("k\n-----BEGIN X-----\n" + body + "A-----END X-----\n", line: 2, detailContains: "more than 131072")
    }

    // Rule 11: object base64 as C base64_decode: whitespace anywhere, padding optional, the
    // first "=" ends the data, a dangling character is an error.
    func testObjectBase64() throws {
        func object(_ body: String) throws -> [UInt8]? {
            try parse("k\n-----BEGIN X-----\n\(body)-----END X-----\n").items[0].object?.bytes
        }
        XCTAssertEqual(try object("AAEC\n"), [0, 1, 2])
        XCTAssertEqual(try object("AA\nE C\t\u{0B}\n"), [0, 1, 2])   // VT counts as whitespace
        XCTAssertEqual(try object("AAE=\n"), [0, 1])
        XCTAssertEqual(try object("AAE\n"), [0, 1])
        XCTAssertEqual(try object("AAEC=AAEC\n"), [0, 1, 2])  // data after "=" is ignored
        XCTAssertEqual(try object("AAEC=\n!!!\n"), [0, 1, 2])
        assertObjectError("k\n-----BEGIN X-----\nAAECA\n-----END X-----\n", line: 2, detailContains: "bad base64")
        assertObjectError("k\n-----BEGIN X-----\nAA\u{0C}EC\n-----END X-----\n", line: 2, detailContains: "bad base64")
    }

    // Rule 12: a BEGIN line is exactly "-----BEGIN <tag>-----" with a tag of at least one byte.
    func testBeginLineForm() throws {
        assertObjectError("k\n-----BEGIN -----\nAAAA\n-----END -----\n", line: 2, detailContains: "bad BEGIN line")
        assertObjectError("k\n-----BEGIN X----- \nAAAA\n-----END X-----\n", line: 2, detailContains: "bad BEGIN line")
        assertObjectError("k\n-----BEGIN X\nAAAA\n-----END X-----\n", line: 2, detailContains: "bad BEGIN line")
        XCTAssertEqual(try parse("k\n-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n").items[0].object?.tag,
                       "RSA PUBLIC KEY")
    }

    // Rule 13: an object needs an END line (unchanged).
    func testMissingEndLine() {
        assertObjectError("k\n-----BEGIN X-----\nAAAA\nj\n", line: 2, detailContains: "no END line")
        // An END further on belongs to the first object, whose body then is not base64.
        assertObjectError("k\n-----BEGIN X-----\nAAAA\nj 1\n-----BEGIN X-----\nAAAA\n-----END X-----\n",
                          line: 2, detailContains: "bad base64")
    }

    // Rule 14: no NUL byte anywhere.
    func testNulByteIsRefused() {
        assertError("k a\nj b\u{0}c\n", .nulCharacter(line: 2))
        assertError("k\n-----BEGIN X-----\nAA\u{0}AA\n-----END X-----\n", .nulCharacter(line: 3))
    }

    // Rule 15: a "-----" line that is not the BEGIN line of an object after a keyword line is
    // refused (onionctl keeps this stricter than C tor).
    func testStrayObjectLinesAreRefused() {
        assertError("-----BEGIN X-----\nAAAA\n-----END X-----\n", .unexpectedObject(line: 1))
        assertError("k\n-----BEGIN X-----\nAAAA\n-----END X-----\n-----BEGIN X-----\nAAAA\n-----END X-----\n",
                    .unexpectedObject(line: 5))
        assertError("k\n-----END X-----\n", .unexpectedObject(line: 2))
    }

    // Rule 16: CRLF line ends are accepted, also on BEGIN and END lines (onionctl keeps this
    // more lenient than C tor); the offsets still cover every byte, CRs included.
    func testCRLFLineEnds() throws {
        let text = "k a\r\n-----BEGIN X-----\r\nAAEC\r\n-----END X-----\r\nj\r\n"
        let document = try parse(text)
        XCTAssertEqual(document.items.map(\.keyword), ["k", "j"])
        XCTAssertEqual(document.items[0].arguments, ["a"])
        XCTAssertEqual(document.items[0].object?.bytes, [0, 1, 2])
        XCTAssertEqual(document.items[0].endOffset, text.utf8.count - 3)
        XCTAssertEqual(document.items[1].startOffset, text.utf8.count - 3)
    }
}

/// Standard padded base64 for building test documents.
enum Base64ForTests {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let v = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[Int(v >> (18 - 6 * UInt32(position)) & 63)] : "=")
            }
            index += 3
        }
        return out
    }
}
