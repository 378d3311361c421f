import XCTest
@testable import DeviceSimulator

final class JSONTests: XCTestCase {
    func testParsesAndKeepsBooleansApartFromNumbers() throws {
        let value = try JSONParser.parse(#"{"a":true,"b":1,"c":[null,"x\u00e9\n"],"d":-2.5e1}"#)
        XCTAssertEqual(value["a"], .bool(true))
        XCTAssertEqual(value["b"], .number(1))
        XCTAssertEqual(value["c"], .array([.null, .string("xé\n")]))
        XCTAssertEqual(value["d"], .number(-25))
    }

    func testRejectsMalformedDocuments() {
        for text in ["", "{", "{\"a\":}", "[1,]", "01", "{\"a\":1} x", "\"\u{01}\"", "tru", "1.", "-"] {
            XCTAssertThrowsError(try JSONParser.parse(text), "accepted \(text.debugDescription)")
        }
        XCTAssertThrowsError(try JSONParser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
    }

    func testCompactWriterRoundTrips() throws {
        let value = JSONValue.object([JSONMember("t", .number(20.1)), JSONMember("s", .string("a\"b")),
                                      JSONMember("n", .number(21))])
        let text = JSONWriter.compact(value)
        XCTAssertEqual(text, #"{"t":20.1,"s":"a\"b","n":21}"#)
        XCTAssertEqual(try JSONParser.parse(text), value)
    }

    func testCJSONLayoutMatchesCJSONPrint() {
        let value = JSONValue.array([
            .object([JSONMember("name", .string("led")), JSONMember("pin", .object([JSONMember("num", .number(2))]))]),
            .object([JSONMember("name", .string("x"))]),
        ])
        XCTAssertEqual(JSONWriter.cJSONFormatted(value),
                       "[{\n\t\t\"name\":\t\"led\",\n\t\t\"pin\":\t{\n\t\t\t\"num\":\t2\n\t\t}\n\t}, {\n\t\t\"name\":\t\"x\"\n\t}]")
        XCTAssertEqual(JSONWriter.cJSONFormatted(.array([])), "[]")
    }
}
