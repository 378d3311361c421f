import TorProto

/// What a circuit needs from the link it runs over: send cells and own a circuit ID.
///
/// ``Channel`` is the real one; tests provide another to play the relays' side of a circuit
/// with real hop cryptography (every hostile-hop test does).
protocol CircuitTransport: AnyObject, Sendable {
    /// Sends an encoded cell. Never blocks.
    func send(_ cell: Cell)
    /// Reserves a fresh circuit ID for `handler`.
    func register(_ handler: any CircuitCellHandler) throws -> UInt32
    /// Releases a circuit ID.
    func unregister(_ id: UInt32)
}

extension Channel: CircuitTransport {}
