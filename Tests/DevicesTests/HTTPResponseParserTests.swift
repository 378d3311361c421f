import Devices
import Foundation
import XCTest

final class HTTPResponseParserTests: XCTestCase {
    let chunkedResponse = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8)

    /// Feeds `bytes` in pieces of `size`; returns the response as soon as it completes (never calls finish: no EOF).
    func parse(_ bytes: [UInt8], pieces size: Int, maxBody: Int = 1 << 20) throws -> (HTTPResponse?, consumedAll: Bool) {
        var parser = HTTPResponseParser(maxBodyBytes: maxBody)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            if let response = try parser.feed(Array(bytes[offset..<end])) { return (response, end == bytes.count) }
            offset = end
        }
        return (nil, true)
    }

    func testChunkedBodySplitAtEveryByteAndInCells() throws {
        for size in [1, 2, 3, 7, 498, chunkedResponse.count] {
            let (response, _) = try parse(chunkedResponse, pieces: size)
            XCTAssertEqual(response?.bodyText, "hello, world", "pieces of \(size)")
            XCTAssertEqual(response?.status, 200)
        }
        // Every single split point of a two-piece delivery.
        for cut in 1..<chunkedResponse.count {
            var parser = HTTPResponseParser()
            let first = try parser.feed(Array(chunkedResponse[..<cut]))
            let response = try first ?? parser.feed(Array(chunkedResponse[cut...]))
            XCTAssertEqual(response?.bodyText, "hello, world", "cut at \(cut)")
        }
    }

    func testLargeChunkedBodyIn498ByteCellsAsMinitorSendsIt() throws {
        let body = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var wire = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var offset = 0
        while offset < body.count {
            let take = min(498, body.count - offset)
            wire += Array(String(take, radix: 16).utf8) + [13, 10] + body[offset..<offset + take] + [13, 10]
            offset += take
        }
        wire += Array("0\r\n\r\n".utf8)
        let (response, _) = try parse(wire, pieces: 498)
        XCTAssertEqual(response?.body, body)
    }

    func testContentLengthResponseCompletesWithoutEOFAndIgnoresWhatFollows() throws {
        let wire = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloGARBAGE AFTER".utf8)
        var parser = HTTPResponseParser()
        let response = try parser.feed(wire)
        XCTAssertEqual(response?.bodyText, "hello")
    }

    func testResponseWithoutLengthEndsAtEOFOnly() throws {
        var parser = HTTPResponseParser()
        XCTAssertNil(try parser.feed(Array("HTTP/1.1 200 OK\r\n\r\npartial".utf8)))
        XCTAssertEqual(try parser.finish().bodyText, "partial")
    }

    func testTruncatedResponseIsAnError() throws {
        var parser = HTTPResponseParser()
        XCTAssertNil(try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8)))
        XCTAssertThrowsError(try parser.finish()) { XCTAssertEqual($0 as? HTTPError, .connectionClosed(received: 3)) }
    }

    func testOversizedBodiesAndHeadersAreRefused() throws {
        var parser = HTTPResponseParser(maxHeaderBytes: 1024, maxBodyBytes: 100)
        XCTAssertThrowsError(try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n".utf8))) {
            XCTAssertEqual($0 as? HTTPError, .bodyTooLarge(limit: 100))
        }
        var chunked = HTTPResponseParser(maxHeaderBytes: 1024, maxBodyBytes: 100)
        let big = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n".utf8) + [UInt8](repeating: 65, count: 128)
        XCTAssertThrowsError(try chunked.feed(big)) { XCTAssertEqual($0 as? HTTPError, .bodyTooLarge(limit: 100)) }
        var headers = HTTPResponseParser(maxHeaderBytes: 1024, maxBodyBytes: 100)
        let long = Array("HTTP/1.1 200 OK\r\nX: ".utf8) + [UInt8](repeating: 66, count: 2000)
        XCTAssertThrowsError(try headers.feed(long)) { XCTAssertEqual($0 as? HTTPError, .headersTooLarge(limit: 1024)) }
    }

    func testMalformedResponsesAreRefused() {
        let cases = [
            "HTTP/1.1 2OO OK\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 +20 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        ]
        for text in cases {
            var parser = HTTPResponseParser()
            XCTAssertThrowsError(try parser.feed(Array(text.utf8)), text) { error in
                guard case .malformed = error as? HTTPError else { return XCTFail("\(text): \(error)") }
            }
        }
    }

    func testClientReturnsWithoutEOFFromAStreamThatNeverCloses() async throws {
        let stream = NeverClosingStream(reply: Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
        let response = try await HTTPClient(timeout: 5).send(HTTPRequest(path: "/links", host: "x.onion"), over: stream)
        XCTAssertEqual(response.bodyText, "ok")
        let written = String(decoding: await stream.writtenBytes(), as: UTF8.self)
        XCTAssertTrue(written.hasPrefix("GET /links HTTP/1.1\r\nHost: x.onion\r\n"), written)
    }

    func testClientTimesOutWhenTheResponseNeverCompletes() async throws {
        let stream = NeverClosingStream(reply: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok".utf8))
        do {
            _ = try await HTTPClient(timeout: 0.3).send(HTTPRequest(path: "/", host: "x.onion"), over: stream)
            XCTFail("must time out")
        } catch let error as HTTPError {
            guard case .timedOut = error else { return XCTFail("\(error)") }
        }
    }
}

/// Delivers `reply` in 3-byte pieces, then blocks forever (like Minitor: no EOF).
actor NeverClosingStreamState {
    var written: [UInt8] = []
    var pending: [UInt8]
    init(_ reply: [UInt8]) { pending = reply }
    func next() -> [UInt8]? {
        guard !pending.isEmpty else { return nil }
        let piece = Array(pending.prefix(3))
        pending.removeFirst(piece.count)
        return piece
    }
    func append(_ bytes: [UInt8]) { written += bytes }
}

final class NeverClosingStream: ByteStream {
    let state: NeverClosingStreamState
    init(reply: [UInt8]) { state = NeverClosingStreamState(reply) }
    func read() async throws -> [UInt8]? {
        if let piece = await state.next() { return piece }
        try await Task.sleep(for: .seconds(3600))
        return nil
    }
    func write(_ bytes: [UInt8]) async throws { await state.append(bytes) }
    func close() {}
    func writtenBytes() async -> [UInt8] { await state.written }
}
