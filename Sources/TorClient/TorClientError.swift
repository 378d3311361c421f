/// Errors from the Tor client facade, each with a sentence a person can act on.
public enum TorClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case configuration(String)

    public var description: String {
        switch self {
        case let .configuration(detail): return detail
        }
    }
}
