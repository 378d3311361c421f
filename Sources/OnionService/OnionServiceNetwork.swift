import TorCircuits

/// What the onion-service client needs from the rest of the Tor client.
public protocol OnionServiceNetwork: Sendable {
    /// The current verified directory.
    func netDirectory() async throws -> NetDirectory
    /// A circuit through a guard and middle relay(s), ending at `lastHop` (so `hops` counts it).
    func buildCircuit(hops: Int, endingAt lastHop: ExtendTarget) async throws -> Circuit
}
