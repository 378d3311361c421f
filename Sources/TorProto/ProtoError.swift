/// Why a cell, relay message or handshake from a peer was refused.
///
/// Every case names what was wrong so a log line or error dialog can say it plainly.
public enum ProtoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field of `needed` bytes could be read.
    case truncated(what: String, needed: Int, available: Int)
    /// A field held a value the protocol does not allow.
    case invalidValue(what: String, detail: String)
    /// A length field pointed past the data that carries it.
    case lengthOutOfRange(what: String, length: Int, limit: Int)
    /// A handshake reply did not authenticate (wrong key or tampered reply).
    case handshakeFailed(String)
    /// A signature or certificate did not check out.
    case badCertificate(String)

    public var description: String {
        switch self {
        case let .truncated(what, needed, available):
            return "\(what) is truncated: needed \(needed) more bytes, only \(available) left"
        case let .invalidValue(what, detail):
            return "invalid \(what): \(detail)"
        case let .lengthOutOfRange(what, length, limit):
            return "\(what) claims length \(length), more than the \(limit) available"
        case let .handshakeFailed(detail):
            return "handshake failed: \(detail)"
        case let .badCertificate(detail):
            return "bad certificate: \(detail)"
        }
    }
}
