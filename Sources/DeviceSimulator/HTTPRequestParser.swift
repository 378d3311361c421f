/// Size limits applied while parsing requests.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Most bytes allowed for the request line plus headers (including the blank line).
    public var maxHeaderBytes: Int
    /// Most bytes allowed for a request body.
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 8192, maxBodyBytes: Int = 4 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why a request could not be parsed; each case maps to the status the server answers with
/// before closing the connection.
public enum HTTPParseError: Error, Equatable, CustomStringConvertible {
    case headerTooLarge(limit: Int)
    case malformedRequestLine(String)
    case malformedHeader(String)
    case unsupportedVersion(String)
    case invalidContentLength(String)
    case bodyTooLarge(limit: Int)
    case chunkedRequestBody

    /// The HTTP status to answer with.
    public var status: Int {
        switch self {
        case .headerTooLarge: return 431
        case .malformedRequestLine, .malformedHeader, .invalidContentLength: return 400
        case .unsupportedVersion: return 505
        case .bodyTooLarge: return 413
        case .chunkedRequestBody: return 411
        }
    }

    public var description: String {
        switch self {
        case .headerTooLarge(let limit):
            return "The request headers are larger than \(limit) bytes."
        case .malformedRequestLine(let line):
            return "The request line \"\(line.prefix(80))\" is not of the form METHOD /path HTTP/1.1."
        case .malformedHeader(let line):
            return "The header line \"\(line.prefix(80))\" is not of the form Name: value."
        case .unsupportedVersion(let version):
            return "The HTTP version \"\(version.prefix(20))\" is not supported; use HTTP/1.1 or HTTP/1.0."
        case .invalidContentLength(let value):
            return "The Content-Length \"\(value.prefix(40))\" is not a single non-negative integer."
        case .bodyTooLarge(let limit):
            return "The request body is larger than \(limit) bytes."
        case .chunkedRequestBody:
            return "Chunked request bodies are not supported; send a Content-Length."
        }
    }
}

/// An incremental HTTP/1.x request parser: feed it bytes as they arrive (in any split), then take
/// complete requests out one at a time, which also handles pipelining.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPParserLimits
    private var buffer: [UInt8] = []
    private var start = 0

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed by a complete request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 4096 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, or nil when more bytes are needed.
    /// Throws when the buffered bytes can never form a valid request; the connection should then
    /// be answered with `error.status` and closed.
    public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A {
            start += 1
        }
        guard let (headerEnd, bodyStart) = findHeaderEnd() else {
            if bufferedByteCount > limits.maxHeaderBytes { throw .headerTooLarge(limit: limits.maxHeaderBytes) }
            return nil
        }
        if bodyStart - start > limits.maxHeaderBytes { throw .headerTooLarge(limit: limits.maxHeaderBytes) }

        // Split bytes, not a String: Swift treats "\r\n" as one Character.
        var lines = buffer[start..<headerEnd].split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        let requestLine = lines.removeFirst()
        let (method, target, version) = try parseRequestLine(requestLine)

        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedHeader(String(line)) }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenCharacter) else { throw .malformedHeader(String(line)) }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(String(name), value)
        }

        if !headers.values("Transfer-Encoding").isEmpty { throw .chunkedRequestBody }
        var bodyLength = 0
        let lengths = headers.values("Content-Length")
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
                  first.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(first) else {
                throw .invalidContentLength(lengths.joined(separator: ", "))
            }
            bodyLength = length
        }
        if bodyLength > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        guard buffer.count - bodyStart >= bodyLength else { return nil }

        let body = Array(buffer[bodyStart..<bodyStart + bodyLength])
        start = bodyStart + bodyLength
        return HTTPRequest(method: method, target: target, version: version, headers: headers, body: body)
    }

    /// The end of the header block (exclusive, before the blank line) and where the body starts.
    private func findHeaderEnd() -> (Int, Int)? {
        var index = start
        let limit = min(buffer.count, start + limits.maxHeaderBytes + 4)
        while index < limit {
            if buffer[index] == 0x0A {
                var next = index + 1
                if next < buffer.count, buffer[next] == 0x0D { next += 1 }
                if next < buffer.count, buffer[next] == 0x0A {
                    let end = index > start && buffer[index - 1] == 0x0D ? index - 1 : index
                    return (end, next + 1)
                }
            }
            index += 1
        }
        return nil
    }

    private func parseRequestLine(_ line: String) throws(HTTPParseError) -> (String, String, String) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedRequestLine(line) }
        let method = String(parts[0]), target = String(parts[1]), version = String(parts[2])
        guard !method.isEmpty, method.allSatisfy(Self.isTokenCharacter) else { throw .malformedRequestLine(line) }
        guard target.hasPrefix("/") || target == "*",
              target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .malformedRequestLine(line)
        }
        guard version.hasPrefix("HTTP/"), version.count == 8 else { throw .malformedRequestLine(line) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .unsupportedVersion(version) }
        return (method, target, version)
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let ascii = character.asciiValue else { return false }
        if (0x30...0x39).contains(ascii) || (0x41...0x5A).contains(ascii) || (0x61...0x7A).contains(ascii) { return true }
        return "!#$%&'*+-.^_`|~".contains(character)
    }
}

import Foundation
