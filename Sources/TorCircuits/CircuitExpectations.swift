import TorProto

/// The handshake a circuit waits for: a relay may answer CREATE/EXTEND only while one is pending.
enum PendingHandshake: Equatable {
    case none
    /// CREATE2 or CREATE_FAST was sent; only the matching reply cell is accepted.
    case create(reply: ChannelCommand)
    /// EXTEND2 was sent through hop `lastHop`; only its EXTENDED2 is accepted.
    case extend(lastHop: Int)
}

/// A non-stream relay message the circuit's owner announced it waits for (INTRODUCE_ACK,
/// RENDEZVOUS_ESTABLISHED, RENDEZVOUS2, …): accepted once, and only from `hop`.
struct Expectation: Equatable {
    var commands: Set<RelayCommand>
    var hop: Int
}

/// A stream this side ended: the other end may still have cells in flight, up to its window.
struct HalfClosedStream {
    var hop: Int
    /// DATA cells the other end may still send (its remaining stream window).
    var dataAllowed: Int
}

/// Streams we ended are remembered for late cells up to this many; the oldest is forgotten first.
let maxHalfClosedStreams = 256
