import FoundationEssentials
import TorCircuits

/// What the onion-service client needs from the rest of the Tor client.
public protocol OnionServiceNetwork: Sendable {
    /// The current verified directory.
    func netDirectory() async throws -> NetDirectory
    /// An onion-service circuit through a guard and middle relay(s), ending at `lastHop` (so
    /// `hops` counts it). Under vanguards-lite its second hop is a pinned layer-2 relay.
    func buildCircuit(hops: Int, endingAt lastHop: ExtendTarget) async throws -> Circuit
    /// The circuit build timeout learned from this network's circuits, in seconds, or nil while
    /// it is still being learned (paces parallel HSDir attempts).
    func learnedCircuitBuildTimeout() async -> TimeInterval?
}

extension OnionServiceNetwork {
    /// Nothing learned: parallel HSDir attempts use their fixed delay.
    public func learnedCircuitBuildTimeout() async -> TimeInterval? { nil }
}
