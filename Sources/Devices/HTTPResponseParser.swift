/// Incremental HTTP/1.x response parser. Frames the body by Content-Length or chunked
/// encoding, never by waiting for EOF unless the response has neither (then EOF ends it).
/// Bytes may arrive in any split (e.g. one 498-byte Tor cell at a time).
public struct HTTPResponseParser: Sendable {
    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    /// HEAD responses and 1xx/204/304 have no body whatever the headers say.
    public var expectsBody = true

    private enum Phase { case head, fixed(Int), chunkSize, chunkData(Int), chunkDataEnd, trailers, untilClose, done }

    private var buffer: [UInt8] = []
    private var phase = Phase.head
    private var response: HTTPResponse?
    private var body: [UInt8] = []
    /// Where the search for the end of the head resumes (bytes arrive a cell at a time).
    private var headScanned = 0

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 16 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Feeds received bytes; returns the response once complete.
    public mutating func feed(_ bytes: [UInt8]) throws -> HTTPResponse? {
        buffer.append(contentsOf: bytes)
        return try advance()
    }

    /// The stream ended: completes a response framed by EOF, else throws.
    public mutating func finish() throws -> HTTPResponse {
        if case .untilClose = phase, var response {
            response.body = body
            phase = .done
            return response
        }
        if case .done = phase, let response { return response }
        throw HTTPError.connectionClosed(received: body.count + buffer.count)
    }

    private mutating func advance() throws -> HTTPResponse? {
        while true {
            switch phase {
            case .head:
                guard let end = find([13, 10, 13, 10], from: headScanned) else {
                    if buffer.count > maxHeaderBytes { throw HTTPError.headersTooLarge(limit: maxHeaderBytes) }
                    headScanned = max(0, buffer.count - 3)
                    return nil
                }
                guard end <= maxHeaderBytes else { throw HTTPError.headersTooLarge(limit: maxHeaderBytes) }
                let head = try parseHead(Array(buffer[0..<end]))
                buffer.removeFirst(end + 4)
                response = head
                phase = try bodyPhase(for: head)
            case let .fixed(remaining):
                let take = min(remaining, buffer.count)
                try appendBody(buffer[0..<take])
                buffer.removeFirst(take)
                if remaining - take == 0 { phase = .done } else { phase = .fixed(remaining - take); return nil }
            case .chunkSize:
                guard let end = find([13, 10]) else {
                    if buffer.count > 1024 { throw HTTPError.malformed("chunk size line too long") }
                    return nil
                }
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                let hex = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingBlanks() } ?? ""
                // Hex digits only: Int(_:radix:) would also take a sign ("-5" crashed the framing).
                guard !hex.isEmpty, hex.count <= 8, hex.allSatisfy(\.isHexDigit), let size = Int(hex, radix: 16) else {
                    throw HTTPError.malformed("bad chunk size '\(line)'")
                }
                phase = size == 0 ? .trailers : .chunkData(size)
            case let .chunkData(remaining):
                let take = min(remaining, buffer.count)
                try appendBody(buffer[0..<take])
                buffer.removeFirst(take)
                if remaining - take == 0 { phase = .chunkDataEnd } else { phase = .chunkData(remaining - take); return nil }
            case .chunkDataEnd:
                guard buffer.count >= 2 else { return nil }
                guard buffer[0] == 13 && buffer[1] == 10 else { throw HTTPError.malformed("chunk not followed by CRLF") }
                buffer.removeFirst(2)
                phase = .chunkSize
            case .trailers:
                guard let end = find([13, 10]) else {
                    if buffer.count > maxHeaderBytes { throw HTTPError.headersTooLarge(limit: maxHeaderBytes) }
                    return nil
                }
                buffer.removeFirst(end + 2)
                if end == 0 { phase = .done }
            case .untilClose:
                try appendBody(buffer[...])
                buffer.removeAll()
                return nil
            case .done:
                guard var response else { return nil }
                response.body = body
                return response
            }
        }
    }

    private mutating func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        if body.count + bytes.count > maxBodyBytes { throw HTTPError.bodyTooLarge(limit: maxBodyBytes) }
        body.append(contentsOf: bytes)
    }

    private func find(_ pattern: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= buffer.count {
            if buffer[index] == pattern[0] && Array(buffer[index..<(index + pattern.count)]) == pattern { return index }
            index += 1
        }
        return nil
    }

    private func parseHead(_ bytes: [UInt8]) throws -> HTTPResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, parts[1].utf8.allSatisfy({ (48...57).contains($0) }), let status = Int(parts[1]), status >= 100 else {
            throw HTTPError.malformed("bad status line '\(statusLine.prefix(80))'")
        }
        var headers = [(String, String)]()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPError.malformed("header line without ':' '\(line.prefix(80))'") }
            let name = line[..<colon].trimmingBlanks()
            guard !name.isEmpty else { throw HTTPError.malformed("empty header name") }
            headers.append((name, line[line.index(after: colon)...].trimmingBlanks()))
        }
        return HTTPResponse(version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "",
                            headers: headers, body: [])
    }

    private func bodyPhase(for head: HTTPResponse) throws -> Phase {
        if !expectsBody || head.status / 100 == 1 || head.status == 204 || head.status == 304 { return .done }
        if let encoding = head.header("Transfer-Encoding"), encoding.lowercased().contains("chunked") { return .chunkSize }
        let lengths = Set(head.headers.filter { $0.0.lowercased() == "content-length" }
            .flatMap { $0.1.split(separator: ",").map { $0.trimmingBlanks() } })
        guard lengths.count <= 1 else { throw HTTPError.malformed("conflicting Content-Length values \(lengths.sorted())") }
        if let length = lengths.first {
            guard !length.isEmpty, length.utf8.count <= 18, length.utf8.allSatisfy({ (48...57).contains($0) }),
                  let count = Int(length) else {
                throw HTTPError.malformed("bad Content-Length '\(length.prefix(40))'")
            }
            if count > maxBodyBytes { throw HTTPError.bodyTooLarge(limit: maxBodyBytes) }
            return count == 0 ? .done : .fixed(count)
        }
        return .untilClose
    }
}

import FoundationEssentials
