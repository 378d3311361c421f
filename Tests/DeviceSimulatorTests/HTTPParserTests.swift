import XCTest
@testable import DeviceSimulator

final class HTTPParserTests: XCTestCase {
    func testRequestSplitAcrossReads() throws {
        let raw = Array("PATCH /api/v1/thermostat?x=1 HTTP/1.1\r\nHost: d\r\nContent-Length: 17\r\n\r\n{\"setpoint\":21.5}".utf8)
        var parser = HTTPRequestParser()
        for byte in raw.dropLast() {
            parser.append([byte])
            XCTAssertNil(try parser.nextRequest())
        }
        parser.append([raw.last!])
        let request = try XCTUnwrap(parser.nextRequest())
        XCTAssertEqual(request.method, "PATCH")
        XCTAssertEqual(request.path, "/api/v1/thermostat")
        XCTAssertEqual(request.query, "x=1")
        XCTAssertEqual(request.headers["content-length"], "17")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), "{\"setpoint\":21.5}")
        XCTAssertEqual(parser.bufferedByteCount, 0)
        XCTAssertNil(try parser.nextRequest())
    }

    func testPipelinedRequestsAndBareLineFeeds() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\nConnection: keep-alive\n\n".utf8))
        let first = try XCTUnwrap(parser.nextRequest())
        let second = try XCTUnwrap(parser.nextRequest())
        XCTAssertEqual(first.path, "/a")
        XCTAssertTrue(first.wantsKeepAlive)
        XCTAssertEqual(second.path, "/b")
        XCTAssertEqual(second.version, "HTTP/1.0")
        XCTAssertTrue(second.wantsKeepAlive)
        XCTAssertNil(try parser.nextRequest())
    }

    func testOversizedHeaderIsRejected() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: 1024))
        parser.append(Array("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 2000))".utf8))
        XCTAssertThrowsError(try parser.nextRequest()) { error in
            XCTAssertEqual(error as? HTTPParseError, .headerTooLarge(limit: 1024))
            XCTAssertEqual((error as? HTTPParseError)?.status, 431)
        }
    }

    func testMalformedRequestLines() {
        for line in ["GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
                     "GET nopath HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nBad header\r\n\r\n"] {
            var parser = HTTPRequestParser()
            parser.append(Array(line.utf8))
            XCTAssertThrowsError(try parser.nextRequest(), line.debugDescription)
        }
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/2.0\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.nextRequest()) { XCTAssertEqual(($0 as? HTTPParseError)?.status, 505) }
    }

    func testBodyRules() {
        func error(_ raw: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
            var parser = HTTPRequestParser(limits: limits)
            parser.append(Array(raw.utf8))
            do { _ = try parser.nextRequest(); return nil } catch { return error }
        }
        XCTAssertEqual(error("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")?.status, 400)
        XCTAssertEqual(error("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")?.status, 400)
        XCTAssertEqual(error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), .chunkedRequestBody)
        XCTAssertEqual(error("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n",
                             limits: HTTPParserLimits(maxBodyBytes: 10)), .bodyTooLarge(limit: 10))
    }

    func testMinitorResponsesHaveNoDateServerOrConnection() {
        var response = HTTPResponse.text(200, "hello world", contentType: "text/html")
        response.chunked = true
        let text = String(decoding: HTTPResponseWriter.serialize(response, quirks: .minitor, keepAlive: false), as: UTF8.self)
        XCTAssertEqual(text, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n")
        let plain = String(decoding: HTTPResponseWriter.serialize(.text(200, "x"), quirks: .none, keepAlive: false,
                                                                  date: Date(timeIntervalSince1970: 0)), as: UTF8.self)
        XCTAssertTrue(plain.contains("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"))
        XCTAssertTrue(plain.contains("Connection: close\r\n"))
    }
}
