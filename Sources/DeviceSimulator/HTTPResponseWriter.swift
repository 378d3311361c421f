import Foundation

/// How responses are framed on the wire.
public enum HTTPQuirks: String, Sendable, CaseIterable {
    /// An ordinary HTTP/1.1 server: Date and Server headers, `Connection` honoured.
    case none
    /// Behave like ESP-IDF's `esp_http_server` behind Minitor: no Date/Server/Connection
    /// headers, keep-alive regardless of `Connection: close`, one request per connection.
    case minitor
}

/// Serialises `HTTPResponse`s into bytes.
public enum HTTPResponseWriter {
    /// Size of each chunk when a body is sent chunked (Minitor relays at most 498 bytes a cell).
    public static let chunkSize = 498

    /// The full response bytes. `keepAlive` chooses the `Connection` header in `.none` mode.
    public static func serialize(_ response: HTTPResponse, quirks: HTTPQuirks, keepAlive: Bool,
                                 date: Date = Date(), serverName: String = "onion-device") -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(response.reason ?? HTTPResponse.reasonPhrase(response.status))\r\n"
        var headers = response.headers
        headers.remove("Content-Length")
        headers.remove("Transfer-Encoding")
        headers.remove("Connection")
        if quirks == .none {
            headers.set("Date", httpDate(date))
            headers.set("Server", serverName)
        }
        if response.chunked {
            headers.add("Transfer-Encoding", "chunked")
        } else {
            headers.add("Content-Length", String(response.declaredLength ?? response.body.count))
        }
        if quirks == .none {
            headers.add("Connection", keepAlive ? "keep-alive" : "close")
        }
        for field in headers.fields {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if response.chunked {
            var offset = 0
            while offset < response.body.count {
                let end = min(offset + chunkSize, response.body.count)
                bytes += Array((String(end - offset, radix: 16) + "\r\n").utf8)
                bytes += response.body[offset..<end]
                bytes += [0x0D, 0x0A]
                offset = end
            }
            if !response.omitsFinalChunk { bytes += Array("0\r\n\r\n".utf8) }
        } else {
            bytes += response.body
        }
        return bytes
    }

    /// An IMF-fixdate such as `Mon, 01 Jan 2024 00:00:00 GMT`.
    public static func httpDate(_ date: Date) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let iso = ISO8601.string(from: date) // yyyy-MM-ddTHH:mm:ssZ
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let dayIndex = ((seconds / 86400) % 7 + 7) % 7
        let chars = Array(iso)
        let year = String(chars[0..<4]), month = Int(String(chars[5..<7])) ?? 1, day = String(chars[8..<10])
        let time = String(chars[11..<19])
        return "\(days[dayIndex]), \(day) \(months[month - 1]) \(year) \(time) GMT"
    }
}
