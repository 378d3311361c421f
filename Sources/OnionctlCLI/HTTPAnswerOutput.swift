import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Devices

/// The JSON document of an HTTP answer (`fetch --json`, `get HTTP-DEVICE --json`; docs/json.md).
struct HTTPAnswerOutput: Encodable {
    var status: Int
    var headers: [String: String]
    /// The body as text (invalid UTF-8 replaced).
    var body: String

    init(_ response: HTTPResponse) {
        status = response.status
        headers = Dictionary(response.headers.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        body = response.bodyText
    }
}

/// An onion service answered with an HTTP error (exit 22, kind `http-error`).
struct HTTPStatusFailure: Error, CustomStringConvertible {
    var status: Int
    var reason: String
    var body: String

    init(_ response: HTTPResponse) {
        status = response.status
        reason = response.reason
        body = response.bodyText
    }

    var description: String {
        let excerpt = body.trimmingWhitespace().prefix(200)
        return "the service answered HTTP \(status) \(reason)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
    }
}
