#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback listening address (`127.0.0.0/8` or `::1`) and port.
public struct LoopbackAddress: Sendable, Equatable, CustomStringConvertible {
    /// The numeric host, e.g. `127.0.0.1` or `::1`.
    public var host: String
    public var port: UInt16
    /// Whether `host` is IPv6.
    public var isIPv6: Bool

    /// Why an address was refused.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case notLoopback(String)

        public var description: String {
            switch self {
            case .malformed(let text):
                return "\"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)."
            case .notLoopback(let host):
                return "Refusing to listen on \(host): the simulator only listens on loopback (127.0.0.0/8 or ::1)."
            }
        }
    }

    /// Validates `host` (numeric, or `localhost`) as loopback.
    public init(host: String, port: UInt16) throws(Failure) {
        let host = host == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            // s_addr is in network byte order: the first octet is the lowest byte in memory.
            let firstOctet = withUnsafeBytes(of: &v4) { $0[0] }
            guard firstOctet == 127 else { throw .notLoopback(host) }
            isIPv6 = false
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            guard bytes == Array(repeating: 0, count: 15) + [1] else { throw .notLoopback(host) }
            isIPv6 = true
        } else {
            throw .notLoopback(host)
        }
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:8080`, `[::1]:8080` or `localhost:8080`.
    public init(parsing text: String) throws(Failure) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":") else { throw .malformed(text) }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .malformed(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = UInt16(portPart) else { throw .malformed(text) }
        try self.init(host: String(hostPart), port: port)
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
