import FoundationEssentials
import OnionService
import TorCircuits
import TorCrypto
import TorDirectory
import TorProto

/// The embedded Tor client: one per process. Bootstraps a verified view of the network and
/// builds circuits through it; ``connect(to:port:)`` (onion services) builds on this.
public actor TorClient {
    public nonisolated let configuration: TorClientConfiguration
    public nonisolated let pool: ChannelPool
    public nonisolated let builder: CircuitBuilder
    public nonisolated let directory: DirectoryManager
    public nonisolated let guards: GuardSet
    /// The layer-2 vanguards of onion-service circuits (prop 333), persisted beside the guards.
    public nonisolated let vanguards: VanguardsLite
    /// The most recent onion-service paths built (newest last, at most 32), for status views and tests.
    public private(set) var recentOnionServicePaths: [BuiltPath] = []
    /// Clock differences reported by relays (NETINFO).
    public nonisolated let clockSkew = ClockSkewMonitor()
    private var connector: OnionServiceConnector?
    private var clientAuthKeys: [OnionAddress: X25519PrivateKey] = [:]
    private var progressHandlers: [UUID: @Sendable (ConnectionProgress) -> Void] = [:]

    /// - Parameter now: the clock for directory freshness (tests pin it); defaults to the system clock.
    /// - Parameter guardClock: the clock of guard retry schedules (tests move it forward);
    ///   defaults to the system clock.
    public init(configuration: TorClientConfiguration, now: (@Sendable () -> Date)? = nil,
                guardClock: (@Sendable () -> Date)? = nil) {
        self.configuration = configuration
        let monitor = clockSkew
        pool = ChannelPool(timeout: configuration.stepTimeout, onOpen: { channel in
            if let skew = channel.clockSkew { monitor.record(skew) }
        })
        builder = CircuitBuilder(pool: pool, timeout: configuration.stepTimeout,
                                 timeouts: CircuitBuildTimeouts(fileURL: configuration.paths.stateDirectory
                                     .appendingPathComponent(Self.circuitTimeoutsFile)))
        let guards = GuardSet(fileURL: configuration.paths.stateDirectory.appendingPathComponent("guards.json"),
                              clock: guardClock ?? { Date() })
        self.guards = guards
        // Directory guards (prop 271, as C tor and arti): once a directory is known, documents are
        // asked of the primary guards that are directory caches before fallbacks and authorities.
        directory = DirectoryManager(config: configuration.network, cacheDirectory: configuration.paths.cacheDirectory,
                                     builder: builder, retryPatience: configuration.directoryRetryPatience,
                                     congestionControl: configuration.congestionControl, now: now ?? Date.init,
                                     directoryGuards: configuration.directoryGuards ? Self.directoryGuards(from: guards) : nil)
        vanguards = VanguardsLite(fileURL: configuration.paths.stateDirectory.appendingPathComponent("vanguards.json"))
    }

    /// The build-time history of the learned circuit build timeout, in the network's state directory.
    public static let circuitTimeoutsFile = "circuit-timeouts.json"

    /// The primary guards of `guards` that are directory caches (V2Dir), in a known directory.
    private static func directoryGuards(from guards: GuardSet) -> @Sendable (NetDirectory) async -> [Relay] {
        { known in await guards.primaryGuards(in: known).filter { $0.flags.contains(.v2Dir) } }
    }

    /// Bootstraps (or loads the cache) and reports what the client knows.
    public func bootstrap() async throws -> BootstrapReport {
        let (netDirectory, report) = try await directory.bootstrap()
        var result = report
        result.guards = await guards.primaryGuards(in: netDirectory).map(\.displayName)
        result.guardState = await guards.status().map { entry in
            GuardReport(nickname: entry.nickname, fingerprint: entry.rsaIdentity.uppercased(), primary: entry.isPrimary,
                        confirmed: entry.isConfirmed, listed: entry.isListed, reachable: entry.reachable.rawValue,
                        retryAt: entry.retryAt)
        }
        if configuration.vanguardsLite {
            _ = await vanguards.layer2(in: netDirectory)
            result.vanguards = await vanguards.entries.map {
                VanguardReport(nickname: $0.nickname, fingerprint: $0.rsaIdentity.uppercased(), expires: $0.expiresAt)
            }
        }
        builder.timeouts.update(from: netDirectory.consensus.params)
        result.circuitBuildTimeout = CircuitTimeoutReport(builder.timeouts.status)
        for problem in [await guards.loadProblem, await vanguards.loadProblem, builder.timeouts.loadProblem].compactMap({ $0 }) {
            result.warnings.append(problem)
        }
        if let warning = clockSkew.warning { result.warnings.append(warning) }
        return result
    }

    /// The current usable view of the network.
    public func netDirectory() async throws -> NetDirectory { try await directory.netDirectory() }

    /// Builds a circuit of `length` hops through a guard and bandwidth-weighted relays.
    public func buildCircuit(length: Int = 3) async throws -> Circuit {
        try await buildPath(hops: length, lastHop: nil)
    }

    /// Builds an onion-service circuit of `hops` relays ending at `lastHop` (a relay from the
    /// directory or an introduction point known only from a descriptor). With vanguards-lite (the
    /// default) its second hop is one of the pinned layer-2 vanguards.
    public func buildCircuit(hops: Int, endingAt lastHop: ExtendTarget) async throws -> Circuit {
        try await buildPath(hops: hops, lastHop: lastHop)
    }

    /// How many circuits one request may try, each through the guard prop 271 picks next.
    static let maxGuardAttempts = 6

    /// Builds through the guard prop 271 picks: a primary guard while one may work, otherwise
    /// confirmed then sampled guards, one attempt each (``GuardSet``). A circuit through a
    /// non-primary guard is kept aside while a primary guard is given another chance, as the
    /// spec's "waiting for a better guard". Relays that fail are recorded and avoided.
    private func buildPath(hops: Int, lastHop: ExtendTarget?) async throws -> Circuit {
        let netDirectory = try await directory.netDirectory()
        builder.parameters.update(from: netDirectory.consensus.params)
        builder.timeouts.update(from: netDirectory.consensus.params)
        let last = lastHop.flatMap { netDirectory.relay(rsaIdentity: $0.rsaIdentity) }
        let vanguardCircuit = lastHop != nil && configuration.vanguardsLite && hops >= 3
        let layer2 = vanguardCircuit ? await vanguards.layer2(in: netDirectory) : []
        // Without vanguards the guard may not be the last hop nor share its family or subnet; with
        // them there is no such restriction (C tor `guards_choose_guard`), see ``PathSelector/vanguardPath``.
        let restriction = PathSelector(directory: netDirectory)
        let lastID = lastHop?.rsaIdentity
        let restricted = !vanguardCircuit
        let allowed: @Sendable (Relay) -> Bool = { relay in
            guard restricted else { return true }
            if relay.rsaIdentity == lastID { return false }
            if let last, !restriction.canShare(relay, last) { return false }
            return true
        }
        var lastError: (any Error)?
        var waiting: Circuit?
        defer { waiting?.destroy() }
        for _ in 0..<Self.maxGuardAttempts {
            let choice: GuardSet.Choice
            do { choice = try await guards.select(in: netDirectory, allowed: allowed) } catch {
                lastError = lastError ?? error
                break
            }
            let guardRelay = choice.relay
            let selector = PathSelector(directory: netDirectory, avoid: builder.failures.avoided())
            do {
                var path = [guardRelay]
                if vanguardCircuit, let lastHop {
                    path = try selector.vanguardPath(guard: guardRelay, layer2: layer2, endpoint: lastHop.rsaIdentity, hops: hops)
                } else {
                    let relaysBeforeLast = lastHop == nil ? hops : hops - 1
                    while path.count < relaysBeforeLast {
                        let position: PathPosition = lastHop == nil && path.count == hops - 1 ? .exit : .middle
                        path.append(try selector.pick(position, requiring: [.fast], excluding: path + (last.map { [$0] } ?? []),
                                                      where: { $0.rsaIdentity != lastHop?.rsaIdentity }))
                    }
                }
                let circuit = try await builder.build(path: path)
                if let lastHop {
                    try await builder.extend(circuit, to: lastHop)
                    record(BuiltPath(relays: path.map { BuiltPath.Hop(rsaIdentity: $0.rsaIdentity, name: $0.displayName) }
                                         + [BuiltPath.Hop(rsaIdentity: lastHop.rsaIdentity, name: lastHop.nickname)],
                                     layer2: vanguardCircuit ? path[1].rsaIdentity : nil))
                }
                if await guards.markSucceeded(guardRelay, usability: choice.usability) {
                    return circuit
                }
                // A non-primary guard worked while a primary one may still: keep the circuit and
                // give the primary guards another try first.
                if waiting == nil { waiting = circuit } else { circuit.destroy() }
            } catch let error as PathBuildError {
                if error.rsaIdentity == guardRelay.rsaIdentity { await guards.markFailed(guardRelay) }
                lastError = error
                // A failing last hop (e.g. a dead introduction point) will not get better with another guard.
                if let lastHop, error.rsaIdentity == lastHop.rsaIdentity { break }
            } catch let error as PathError where error == .endpointIsGuard(guardRelay.displayName) {
                // The rendezvous point chosen is our guard: the caller picks another point (moving
                // to another guard instead would put a second guard in use).
                lastError = error
                break
            } catch {
                lastError = error
            }
        }
        if let circuit = waiting {
            waiting = nil
            return circuit
        }
        throw lastError ?? PathError.noCandidates("guard")
    }

    private func record(_ path: BuiltPath) {
        recentOnionServicePaths.append(path)
        if recentOnionServicePaths.count > 32 { recentOnionServicePaths.removeFirst() }
    }

    // MARK: Onion services

    /// Registers the client-authorization key for an onion service.
    public func setClientAuthKey(_ key: X25519PrivateKey?, for address: OnionAddress) async {
        if clientAuthKeys[address]?.publicKey != key?.publicKey {
            await onionConnector().reset(address)
        }
        clientAuthKeys[address] = key
    }

    /// Opens a byte stream to `port` of the onion service at `address`.
    ///
    /// Reuses the service's rendezvous circuit while it lives. Errors are ``OnionServiceError``
    /// values whose descriptions tell a person what went wrong and what to do.
    public func connect(to address: OnionAddress, port: UInt16) async throws -> TorStream {
        let handlers = Array(progressHandlers.values)
        var progress: OnionServiceConnector.ProgressHandler?
        if !handlers.isEmpty {
            progress = { @Sendable event in
                for handler in handlers { handler(event) }
            }
        }
        return try await onionConnector().connect(to: address, port: port, clientAuthKey: clientAuthKeys[address],
                                                  progress: progress)
    }

    /// Subscribes to connection progress (directory, descriptor, introduction, rendezvous, open).
    @discardableResult
    public func addProgressHandler(_ handler: @escaping @Sendable (ConnectionProgress) -> Void) -> UUID {
        let id = UUID()
        progressHandlers[id] = handler
        return id
    }

    public func removeProgressHandler(_ id: UUID) { progressHandlers[id] = nil }

    /// The rendezvous circuit currently open to `address`, if any (for status views).
    public func openCircuit(to address: OnionAddress) async -> Circuit? {
        await connector?.openCircuit(to: address)
    }

    /// The descriptor cached for `address`, if any.
    public func cachedDescriptor(for address: OnionAddress) async -> HSDescriptorContent? {
        await connector?.cachedDescriptor(for: address)
    }

    /// Closes the rendezvous circuit to `address`; the next ``connect(to:port:)`` builds a new one.
    public func dropCircuit(to address: OnionAddress) async { await connector?.dropCircuit(to: address) }

    private func onionConnector() -> OnionServiceConnector {
        if let connector { return connector }
        var store: HSDescriptorStore?
        if configuration.keepDescriptorsOnDisk {
            let kept = HSDescriptorStore(directory: configuration.paths.cacheDirectory.appendingPathComponent("hs-descriptors"))
            // Expired files (e.g. of devices no longer in the address book) go once per process.
            kept.removeStale(now: Date())
            store = kept
        }
        let made = OnionServiceConnector(network: self, stepTimeout: max(configuration.stepTimeout, 30),
                                         renewal: configuration.rendezvousRenewal,
                                         requestCongestionControl: configuration.congestionControl,
                                         proofOfWorkBudget: configuration.proofOfWorkBudget,
                                         descriptorStore: store)
        connector = made
        return made
    }

    /// Closes every channel and writes the circuit build times not yet saved.
    public func shutdown() async {
        builder.timeouts.saveIfChanged()
        await pool.closeAll()
    }
}

extension TorClient: OnionServiceNetwork {
    /// The learned circuit build timeout in seconds, nil while still learning.
    public nonisolated func learnedCircuitBuildTimeout() -> TimeInterval? {
        let status = builder.timeouts.status
        return status.isLearned ? status.timeout : nil
    }
}

/// The relays of a circuit the client built, first hop first (the last is the endpoint).
public struct BuiltPath: Sendable, Equatable {
    public struct Hop: Sendable, Equatable {
        public var rsaIdentity: [UInt8]
        public var name: String
    }
    public var relays: [Hop]
    /// The layer-2 vanguard of the path (its second hop), when vanguards-lite chose it.
    public var layer2: [UInt8]?
}
