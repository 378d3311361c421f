import OnionService

/// An `http://<56 chars>.onion[:port]/path` URL, checked (including the onion checksum).
struct OnionURL: Sendable {
    var address: OnionAddress
    var port: UInt16
    var path: String

    init(_ text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) } else if rest.contains("://") {
            throw CLIError.usage("only http:// URLs are supported (the onion service already encrypts end to end): \(text)")
        }
        let hostEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = rest[..<hostEnd]
        path = hostEnd == rest.endIndex ? "/" : String(rest[hostEnd...])
        port = 80
        if let colon = host.lastIndex(of: ":") {
            guard let parsed = UInt16(host[host.index(after: colon)...]), parsed > 0 else {
                throw CLIError.usage("bad port in \(text)")
            }
            port = parsed
            host = host[..<colon]
        }
        do { address = try OnionAddress(String(host)) } catch {
            throw CLIError.invalidAddress("\(host): \(error)")
        }
    }
}

/// Command-line mistakes, with what to do about them.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case invalidAddress(String)

    var description: String {
        switch self {
        case let .usage(detail): return detail
        case let .invalidAddress(detail): return "invalid onion address \(detail)"
        }
    }
}
