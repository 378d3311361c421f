import FoundationEssentials
import TorDirectory
import TorProto

/// Builds circuits through relays of the current ``NetDirectory``.
public struct CircuitBuilder: Sendable {
    public let pool: ChannelPool
    public let timeout: TimeInterval
    /// Relays that failed recently; path selection avoids them.
    public let failures: RelayFailures
    /// Consensus parameters applied to each new circuit.
    public let parameters = CircuitParameters()

    public init(pool: ChannelPool, timeout: TimeInterval = 20, failures: RelayFailures = RelayFailures()) {
        self.pool = pool
        self.timeout = timeout
        self.failures = failures
    }

    /// Builds a circuit through `path`, first hop with ntor (CREATE2), then EXTEND2 per hop.
    /// A failure names the relay whose hop failed (``PathBuildError``) and is recorded in `failures`.
    /// - Parameter congestionControl: for an exit or directory circuit, the consensus's
    ///   congestion-control parameters: the last relay is asked for congestion control when it
    ///   lists `FlowCtrl=2` and `cc_alg` is on (as C tor's client does for `for_exit_use` hops),
    ///   and the circuit runs it with that hop if it agrees. Nil (intro, HSDir, rendezvous
    ///   circuits): fixed windows.
    public func build(path: [Relay], congestionControl: CongestionControlParameters? = nil) async throws -> Circuit {
        guard let first = path.first else { throw PathError.noCandidates("an empty path") }
        let circuit: Circuit
        do {
            let channel = try await pool.channel(to: first.orAddress, expected: first.expectedIdentity)
            circuit = try await Circuit.create(on: channel, target: first.extendTarget, timeout: timeout,
                                              sendmeAcceptMinVersion: parameters.sendmeAcceptMinVersion,
                                              congestionControl: path.count == 1 ? congestionControl : nil)
        } catch {
            throw failed(first.rsaIdentity, first.displayName, error)
        }
        for (index, relay) in path.enumerated().dropFirst() {
            do {
                try await circuit.extend(to: relay.extendTarget, timeout: timeout,
                                         congestionControl: index == path.count - 1 ? congestionControl : nil)
            } catch {
                circuit.destroy()
                throw failed(relay.rsaIdentity, relay.displayName, error)
            }
        }
        for relay in path { failures.markSucceeded(relay.rsaIdentity) }
        return circuit
    }

    /// Extends `circuit` to a relay known only by its link specifiers (an introduction point).
    public func extend(_ circuit: Circuit, to target: ExtendTarget) async throws {
        do {
            try await circuit.extend(to: target, timeout: timeout)
        } catch {
            circuit.destroy()
            throw failed(target.rsaIdentity, target.nickname, error)
        }
    }

    private func failed(_ identity: [UInt8], _ name: String, _ error: any Error) -> PathBuildError {
        failures.markFailed(identity)
        if let error = error as? PathBuildError { return error }
        return PathBuildError(relay: name, rsaIdentity: identity, underlying: "\(error)")
    }

    /// Builds a one-hop directory circuit to `relay`, known from the consensus: CREATE2 (ntor v3
    /// when it lists `Relay=4`), asking for congestion control as ``build(path:congestionControl:)``
    /// does (C tor asks a one-hop directory circuit's relay, `onehop_tunnel` with `for_exit_use`).
    public func buildDirectoryCircuit(to relay: Relay, congestionControl: CongestionControlParameters?) async throws -> Circuit {
        try await build(path: [relay], congestionControl: congestionControl)
    }

    /// Builds a one-hop CREATE_FAST circuit to a directory server known only by address and RSA id.
    public func buildDirectoryCircuit(to address: RelayAddress, rsaIdentity: [UInt8]?, name: String) async throws -> Circuit {
        let channel = try await pool.channel(to: address, expected: ExpectedIdentity(rsaIdentity: rsaIdentity, name: name))
        return try await Circuit.createFast(on: channel, name: name, timeout: timeout,
                                            sendmeAcceptMinVersion: parameters.sendmeAcceptMinVersion)
    }
}
