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

    /// The circuit build timeout, learned from the builds of this builder (``CircuitBuildTimeouts``).
    public let timeouts: CircuitBuildTimeouts

    /// - Parameters:
    ///   - timeout: seconds for each hop of a directory circuit (one or two hops) and for an
    ///     extension to an introduction point; longer paths are bounded by `timeouts` instead.
    ///   - timeouts: the learned circuit build timeout (in memory unless given a file).
    public init(pool: ChannelPool, timeout: TimeInterval = 20, failures: RelayFailures = RelayFailures(),
                timeouts: CircuitBuildTimeouts = CircuitBuildTimeouts(fileURL: nil)) {
        self.pool = pool
        self.timeout = timeout
        self.failures = failures
        self.timeouts = timeouts
    }

    /// Builds a circuit through `path`, first hop with ntor (CREATE2), then EXTEND2 per hop.
    /// A failure names the relay whose hop failed (``PathBuildError``) and is recorded in `failures`.
    ///
    /// A path of three hops or more is bounded as a whole, from the moment its connection to the
    /// guard is open, by the circuit build timeout
    /// (``timeouts``: learned, or C tor's initial 60 s), and its time to the third hop is
    /// recorded to learn it. A circuit that passes the timeout fails the call (with a
    /// ``PathBuildError`` naming the guard if its first hop was not done, as C tor blames only
    /// the guard then; else with ``CircuitError/timedOut(_:)``) but keeps building, for
    /// measurement only, until the close time, as C tor's measurement circuits do; it is then
    /// destroyed. Shorter paths (directory circuits) keep the fixed per-hop `timeout`.
    /// - Parameter congestionControl: for an exit or directory circuit, the consensus's
    ///   congestion-control parameters: the last relay is asked for congestion control when it
    ///   lists `FlowCtrl=2` and `cc_alg` is on (as C tor's client does for `for_exit_use` hops),
    ///   and the circuit runs it with that hop if it agrees. Nil (intro, HSDir, rendezvous
    ///   circuits): fixed windows.
    public func build(path: [Relay], congestionControl: CongestionControlParameters? = nil) async throws -> Circuit {
        guard path.count >= TimedBuild.measuredHops else {
            return try await buildHops(path, channel: nil, congestionControl: congestionControl,
                                       hopTimeout: { [timeout] in timeout }, onHop: { _ in })
        }
        // The clock starts once the connection to the guard is up (it has its own timeout): a
        // client opens it once and builds many circuits over it, and the times learned are
        // those of circuits, not of TLS handshakes.
        let channel: Channel
        do { channel = try await pool.channel(to: path[0].orAddress, expected: path[0].expectedIdentity) } catch {
            throw failed(path[0].rsaIdentity, path[0].displayName, error)
        }
        do {
            return try await TimedBuild.run(timeouts: timeouts, destroy: { $0.destroy() }) { hopTimeout, onHop in
                try await buildHops(path, channel: channel, congestionControl: congestionControl, hopTimeout: hopTimeout, onHop: onHop)
            }
        } catch let timedOut as TimedBuild.TimedOut {
            let what = "building the circuit (hop \(timedOut.hopsBuilt + 1) of \(path.count)) past the circuit build timeout of "
                + "\((timedOut.limit * 100).rounded() / 100) s"
            // As C tor: a slow first hop is the guard's fault; past it, no relay is blamed.
            guard timedOut.hopsBuilt == 0 else { throw CircuitError.timedOut(what) }
            throw failed(path[0].rsaIdentity, path[0].displayName, CircuitError.timedOut(what))
        }
    }

    /// The hops of `path` one after another; `onHop` is told how many are built after each.
    private func buildHops(_ path: [Relay], channel: Channel?, congestionControl: CongestionControlParameters?,
                           hopTimeout: @escaping @Sendable () -> TimeInterval,
                           onHop: @escaping @Sendable (Int) -> Void) async throws -> Circuit {
        guard let first = path.first else { throw PathError.noCandidates("an empty path") }
        let circuit: Circuit
        do {
            let channel = if let channel { channel } else { try await pool.channel(to: first.orAddress, expected: first.expectedIdentity) }
            circuit = try await Circuit.create(on: channel, target: first.extendTarget, timeout: hopTimeout(),
                                              sendmeAcceptMinVersion: parameters.sendmeAcceptMinVersion,
                                              congestionControl: path.count == 1 ? congestionControl : nil)
        } catch {
            throw failed(first.rsaIdentity, first.displayName, error)
        }
        onHop(1)
        for (index, relay) in path.enumerated().dropFirst() {
            do {
                try await circuit.extend(to: relay.extendTarget, timeout: hopTimeout(),
                                         congestionControl: index == path.count - 1 ? congestionControl : nil)
            } catch {
                circuit.destroy()
                throw failed(relay.rsaIdentity, relay.displayName, error)
            }
            onHop(index + 1)
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
