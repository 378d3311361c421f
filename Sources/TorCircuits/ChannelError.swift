import FoundationEssentials
import TorProto

/// Why a channel (a TLS link to a relay) failed or closed.
public enum ChannelError: Error, Equatable, Sendable, CustomStringConvertible {
    case connectFailed(RelayAddress, String)
    case timedOut(String)
    case tls(String)
    case handshake(String)
    /// The relay proved an identity other than the one the directory lists for it.
    case identityMismatch(relay: String, expected: String, actual: String)
    case closed(String)
    case protocolViolation(String)
    /// Our clock disagrees with the relay's by `seconds` (positive: ours is ahead).
    case clockSkew(seconds: TimeInterval, relay: String)

    public var description: String {
        switch self {
        case let .connectFailed(address, detail): return "could not connect to relay \(address): \(detail)"
        case let .timedOut(what): return "timed out \(what)"
        case let .tls(detail): return "TLS failed: \(detail)"
        case let .handshake(detail): return "link handshake failed: \(detail)"
        case let .identityMismatch(relay, expected, actual):
            return "relay \(relay) is not who the directory says: expected identity \(expected), it proved \(actual)"
        case let .closed(detail): return "channel closed: \(detail)"
        case let .protocolViolation(detail): return "relay violated the protocol: \(detail)"
        case let .clockSkew(seconds, relay):
            return "this computer's clock is \(ClockSkew.describe(seconds)) compared with relay \(relay); Tor certificates look invalid until the system clock is corrected"

        }
    }
}
