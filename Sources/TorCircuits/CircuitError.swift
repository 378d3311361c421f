import TorProto

/// Why a circuit could not be built or stopped working.
public enum CircuitError: Error, Equatable, Sendable, CustomStringConvertible {
    case destroyed(DestroyReason, byRelay: Bool)
    case truncated(DestroyReason)
    case channelClosed(String)
    case handshake(String)
    case protocolViolation(String)
    case timedOut(String)
    case closed

    public var description: String {
        switch self {
        case let .destroyed(reason, byRelay):
            return byRelay ? "the relay destroyed the circuit (\(reason))" : "the circuit was closed (\(reason))"
        case let .truncated(reason): return "the circuit could not be extended (\(reason))"
        case let .channelClosed(reason): return "the connection to the first relay closed: \(reason)"
        case let .handshake(detail): return "circuit handshake failed: \(detail)"
        case let .protocolViolation(detail): return "protocol violation on the circuit: \(detail)"
        case let .timedOut(what): return "timed out \(what)"
        case .closed: return "the circuit is closed"
        }
    }
}

/// Why a stream ended or could not open.
public enum StreamError: Error, Equatable, Sendable, CustomStringConvertible {
    case refused(EndReason)
    case circuitFailed(CircuitError)
    case closed
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case let .tooLarge(limit): return "the response was larger than \(limit) bytes"
        case let .refused(reason): return "the other end refused or ended the stream (\(reason))"
        case let .circuitFailed(error): return "the stream's circuit failed: \(error)"
        case .closed: return "the stream is closed"
        }
    }
}
