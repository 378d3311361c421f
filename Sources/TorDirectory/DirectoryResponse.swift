/// An HTTP/1.0 response from a directory server (read until the stream ends).
///
/// The body is kept as sent: its `Content-Encoding` (header ``headers``) is decoded by the caller.
public struct DirectoryResponse: Sendable, Equatable {
    public var statusCode: Int
    public var reason: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    /// Parses a complete response.
    public init(_ bytes: [UInt8]) throws {
        guard let end = DirectoryResponse.headerEnd(bytes) else { throw DirectoryResponseError.incompleteHeaders }
        // Split on LF bytes ("\r\n" is one Character in Swift, so split bytes, not the String).
        var lines = bytes[..<end.headerStop].split(separator: 0x0A).map { line -> String in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        guard !lines.isEmpty else { throw DirectoryResponseError.badStatusLine("") }
        let status = lines.removeFirst()
        let parts = status.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...599).contains(code) else {
            throw DirectoryResponseError.badStatusLine(status)
        }
        statusCode = code
        reason = parts.count > 2 ? String(parts[2]) : ""
        var headers = [String: String]()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw DirectoryResponseError.badHeader(line) }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            headers[name] = String(value)
        }
        self.headers = headers
        body = Array(bytes[end.bodyStart...])
    }

    /// Throws unless the status is 200.
    public func requireOK() throws {
        guard statusCode == 200 else { throw DirectoryResponseError.status(statusCode, reason) }
    }

    static func headerEnd(_ bytes: [UInt8]) -> (headerStop: Int, bodyStart: Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count && bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.count && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }
}

public enum DirectoryResponseError: Error, Equatable, Sendable, CustomStringConvertible {
    case incompleteHeaders
    case badStatusLine(String)
    case badHeader(String)
    case status(Int, String)

    public var description: String {
        switch self {
        case .incompleteHeaders: return "directory response ended before the end of its headers"
        case let .badStatusLine(line): return "bad HTTP status line '\(line)'"
        case let .badHeader(line): return "bad HTTP header line '\(line)'"
        case let .status(code, reason): return "directory server answered \(code) \(reason)"
        }
    }
}
