/// An ordered list of HTTP header fields with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were added.
    public private(set) var fields: [Field]

    /// One `Name: value` header line.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public init() { fields = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of the header called `name` (any case).
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }

    /// All values of the header called `name` (any case).
    public func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// Appends a field.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` with a single one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        let lowered = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lowered }
    }
}

/// A parsed HTTP/1.x request.
public struct HTTPRequest: Sendable, Equatable {
    /// The method token, e.g. `GET`.
    public var method: String
    /// The request target as sent, e.g. `/links?x=1`.
    public var target: String
    /// The path part of the target (no query), e.g. `/links`.
    public var path: String
    /// The query after `?`, if any.
    public var query: String?
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, target: String, version: String = "HTTP/1.1",
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the client asked to keep the connection open after the response
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var wantsKeepAlive: Bool {
        let tokens = headers.values("Connection")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }
}

/// An HTTP response produced by a device handler.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Send the body with `Transfer-Encoding: chunked` rather than `Content-Length`.
    public var chunked: Bool
    /// The handler "failed" in ESP-IDF's sense: in Minitor quirks mode the server closes the
    /// connection after sending this response, as `esp_http_server` does when a handler returns
    /// `ESP_FAIL`.
    public var failsConnection: Bool
    /// Misbehaviour for hostile-peer tests: a Content-Length other than the body's size.
    public var declaredLength: Int?
    /// Misbehaviour for hostile-peer tests: a chunked body that never sends its final chunk.
    public var omitsFinalChunk: Bool
    /// The status line's reason phrase, when not the standard one (``HostileText``).
    public var reason: String?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                chunked: Bool = false, failsConnection: Bool = false,
                declaredLength: Int? = nil, omitsFinalChunk: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunked = chunked
        self.failsConnection = failsConnection
        self.declaredLength = declaredLength
        self.omitsFinalChunk = omitsFinalChunk
    }

    /// A response whose body is `value` serialised compactly, typed `application/json`.
    public static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: headers, body: Array(JSONWriter.compact(value).utf8))
    }

    /// A text response with the given content type (`text/plain` unless told).
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8",
                            headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.set("Content-Type", contentType)
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    /// The standard reason phrase for `status`.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 422: return "Unprocessable Content"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

import Foundation
