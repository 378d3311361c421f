/// An HTTP/1.1 request as onionctl sends it: one write, with Content-Length when there is a body
/// (ESP-IDF servers take no chunked request bodies), minimal headers (their limit is 1 KiB).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var host: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String = "GET", path: String, host: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.host = host
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.host == rhs.host && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    /// The bytes on the wire.
    public func encoded() -> [UInt8] {
        var head = "\(method) \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(host)\r\n"
        var hasLength = false
        for (name, value) in headers {
            if name.lowercased() == "content-length" { hasLength = true }
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty && !hasLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}

/// A parsed HTTP response.
public struct HTTPResponse: Sendable, Equatable {
    public var version: String
    public var status: Int
    public var reason: String
    /// Header names as received, in order.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(version: String = "HTTP/1.1", status: Int, reason: String, headers: [(String, String)], body: [UInt8]) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The status line and headers as received, for `fetch -i`.
    public var headText: String {
        "\(version) \(status) \(reason)\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }
}

/// Why an HTTP exchange failed.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case headersTooLarge(limit: Int)
    case bodyTooLarge(limit: Int)
    case connectionClosed(received: Int)
    case timedOut(String)
    /// The stream broke (its circuit failed, or the other end ended it with an error) after
    /// `received` bytes of the response.
    case streamFailed(received: Int, detail: String)

    public var description: String {
        switch self {
        case let .malformed(detail): return "malformed HTTP response: \(detail)"
        case let .headersTooLarge(limit): return "HTTP response headers exceed \(limit) bytes"
        case let .bodyTooLarge(limit): return "HTTP response body exceeds \(limit) bytes"
        case let .connectionClosed(received):
            return "the device closed the connection before the response was complete (\(received) bytes received)"
        case let .timedOut(what): return "timed out \(what)"
        case let .streamFailed(received, detail):
            return received == 0 ? "the connection to the device failed before it answered: \(detail)"
                : "the connection to the device failed after \(received) bytes of its answer: \(detail)"
        }
    }
}
