import Foundation
import TorDirectory
import TorProto

/// Builds circuits through relays of the current ``NetDirectory``.
public struct CircuitBuilder: Sendable {
    public let pool: ChannelPool
    public let timeout: TimeInterval

    public init(pool: ChannelPool, timeout: TimeInterval = 20) {
        self.pool = pool
        self.timeout = timeout
    }

    /// Builds a circuit through `path`, first hop with ntor (CREATE2), then EXTEND2 per hop.
    public func build(path: [Relay]) async throws -> Circuit {
        guard let first = path.first else { throw PathError.noCandidates("an empty path") }
        let channel = try await pool.channel(to: first.orAddress, expected: first.expectedIdentity)
        let circuit = try await Circuit.create(on: channel, target: first.extendTarget, timeout: timeout)
        do {
            for relay in path.dropFirst() {
                try await circuit.extend(to: relay.extendTarget, timeout: timeout)
            }
        } catch {
            circuit.destroy()
            throw error
        }
        return circuit
    }

    /// Builds a one-hop CREATE_FAST circuit to a directory server known only by address and RSA id.
    public func buildDirectoryCircuit(to address: RelayAddress, rsaIdentity: [UInt8]?, name: String) async throws -> Circuit {
        let channel = try await pool.channel(to: address, expected: ExpectedIdentity(rsaIdentity: rsaIdentity, name: name))
        return try await Circuit.createFast(on: channel, name: name, timeout: timeout)
    }
}
