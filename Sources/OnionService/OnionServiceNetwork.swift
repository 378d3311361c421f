import TorCircuits

/// What the onion-service client needs from the rest of the Tor client.
public protocol OnionServiceNetwork: Sendable {
    /// The current verified directory.
    func netDirectory() async throws -> NetDirectory
    /// An onion-service circuit through a guard and middle relay(s), ending at `lastHop` (so
    /// `hops` counts it). Under vanguards-lite its second hop is a pinned layer-2 relay.
    func buildCircuit(hops: Int, endingAt lastHop: ExtendTarget) async throws -> Circuit
}
