import FoundationEssentials
import TorCircuits
import TorCrypto
import TorDirectory
import TorProto

/// What a bootstrap did and what the client now knows; printed by `onionctl tor bootstrap`.
public struct BootstrapReport: Sendable, Codable, Equatable {
    public var validAfter: Date
    public var freshUntil: Date
    public var validUntil: Date
    public var relaysInConsensus: Int
    public var usableRelays: Int
    public var signedBy: [String]
    public var consensusSource: String
    public var fetchedConsensus: Bool
    public var fetchedCertificates: Int
    public var fetchedMicrodescriptors: Int
    public var cachedMicrodescriptors: Int
    public var cacheDirectory: String
    public var guards: [String]
    public var seconds: Double
    public var warnings: [String]
    /// Bytes received from directory servers during this bootstrap (compressed, as on the wire).
    public var bytesDownloaded: Int = 0
    /// Whether the consensus came as a diff from the one held (prop 140).
    public var consensusFromDiff: Bool = false
    /// How the circuit the consensus came over was built and what flow control it ran (e.g.
    /// "ntor v3, congestion control (sendme_inc 31)", "CREATE_FAST, fixed windows"); nil when
    /// no consensus was fetched.
    public var consensusCircuit: String? = nil
    /// The protocol versions this client implements (``ProtocolVersions/onionctlSupported``, as
    /// in a `pr` line), checked against the consensus's required and recommended client protocols.
    public var supportedProtocols: String = ProtocolVersions.onionctlSupported.description
    /// The sampled entry guards (prop 271), primary guards first (filled by ``TorClient``).
    public var guardState: [GuardReport] = []
    /// The layer-2 vanguards of onion-service circuits (prop 333), with their expiry.
    public var vanguards: [VanguardReport] = []
    /// The circuit build timeout, learned or still learning (filled by ``TorClient``).
    public var circuitBuildTimeout: CircuitTimeoutReport? = nil
}

/// One sampled entry guard as `onionctl tor bootstrap` shows it.
public struct GuardReport: Sendable, Codable, Equatable {
    public var nickname: String
    /// Upper-case hex RSA fingerprint.
    public var fingerprint: String
    public var primary: Bool
    public var confirmed: Bool
    /// Listed as a usable guard by the current consensus.
    public var listed: Bool
    /// `yes` (worked), `no` (failed; see `retryAt`) or `maybe` (not tried, or worth retrying).
    public var reachable: String
    public var retryAt: Date?
}

/// One layer-2 vanguard as `onionctl tor bootstrap` shows it.
public struct VanguardReport: Sendable, Codable, Equatable {
    public var nickname: String
    public var fingerprint: String
    public var expires: Date
}

/// Keeps a verified view of the network: bootstraps from the configured authorities or
/// fallbacks over BEGIN_DIR, caches documents on disk, and refreshes when the consensus goes stale.
public actor DirectoryManager {
    public let config: NetworkConfig
    public let cache: DirectoryCache
    private let builder: CircuitBuilder
    private let now: @Sendable () -> Date
    private var current: NetDirectory?
    private var certificates: [AuthorityCertificate] = []
    private var lastReport: BootstrapReport?
    private var lastFetchAttempt: Date?
    private var refreshing: Task<NetDirectory, any Error>?
    /// The recommended-protocols warning already given (it is given once, not at every refresh).
    private var warnedRecommended: String?
    /// Directory sources and their failures (backoff), kept across bootstraps and refreshes.
    private var schedule: DirectorySourceSchedule
    /// How long a bootstrap with nothing usable held keeps trying sources before it gives up.
    public let retryPatience: TimeInterval
    private var progressHandler: (@Sendable (String) -> Void)?
    /// Bytes received from directory servers in the bootstrap under way.
    private var downloaded = 0
    /// Whether one-hop directory circuits ask their relay for congestion control.
    private let congestionControl: Bool
    /// The directory known when a bootstrap starts (in memory or cached): directory sources it
    /// lists are reached with CREATE2 and, when they offer it, congestion control.
    private var known: NetDirectory?
    private let directoryGuards: (@Sendable (NetDirectory) async -> [Relay])?
    /// The refresh time drawn for the consensus in use (by its valid-after).
    private var refreshSchedule: (validAfter: Date, at: Date)?

    /// How long past `valid-until` a consensus is still used when no newer one can be had (C tor: 24 h).
    public static let reasonablyLiveSlack: TimeInterval = 24 * 3600

    /// - Parameter congestionControl: ask directory relays for congestion control (proposal 324)
    ///   when the consensus and the relay allow it; false keeps fixed windows.
    /// - Parameter directoryGuards: the client's directory guards in a known directory (its primary
    ///   guards that are directory caches, prop 271); once a directory is known they are asked
    ///   for documents before fallbacks and authorities. Nil: fallbacks and authorities only.
    public init(config: NetworkConfig, cacheDirectory: URL, builder: CircuitBuilder, retryPatience: TimeInterval = 600,
                congestionControl: Bool = true, now: @escaping @Sendable () -> Date = Date.init,
                directoryGuards: (@Sendable (NetDirectory) async -> [Relay])? = nil) {
        self.config = config
        self.directoryGuards = directoryGuards
        self.congestionControl = congestionControl
        self.schedule = DirectorySourceSchedule(config: config)
        self.retryPatience = retryPatience
        self.cache = DirectoryCache(directory: cacheDirectory)
        self.builder = builder
        self.now = now
    }

    public var report: BootstrapReport? { lastReport }

    /// Receives a sentence for each directory source that fails and each retry (for `-v` and the
    /// dashboard's Tor view).
    public func setProgressHandler(_ handler: (@Sendable (String) -> Void)?) { progressHandler = handler }

    /// A usable directory: the one in memory until its refresh time (``refreshTime(validAfter:freshUntil:validUntil:random:)``,
    /// C tor's client schedule, between fresh-until and valid-until); then, while its consensus is
    /// still valid, that one at once with a newer one fetched in the background; else refreshed now
    /// (falling back to the current one while it is reasonably live). At a start, a valid consensus in the cache whose
    /// microdescriptors are all cached counts as the one in memory.
    public func netDirectory() async throws -> NetDirectory {
        let time = now()
        if let current, time < refreshTime(for: current.consensus) { return current }
        if current == nil { current = cachedDirectory(now: time) }
        if let current, time < current.consensus.validUntil {
            refreshInBackground()
            return current
        }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.bootstrap().directory }
        refreshing = task
        defer { refreshing = nil }
        do {
            return try await task.value
        } catch {
            if let current, now() < current.consensus.validUntil.addingTimeInterval(Self.reasonablyLiveSlack) {
                return current
            }
            throw error
        }
    }

    /// When a newer consensus is next fetched while `consensus` is in use, drawn once per consensus.
    private func refreshTime(for consensus: Consensus) -> Date {
        if let scheduled = refreshSchedule, scheduled.validAfter == consensus.validAfter { return scheduled.at }
        let at = Self.refreshTime(validAfter: consensus.validAfter, freshUntil: consensus.freshUntil,
                                  validUntil: consensus.validUntil, random: Double.random(in: 0..<1))
        refreshSchedule = (consensus.validAfter, at)
        return at
    }

    /// C tor's client schedule (`update_consensus_networkstatus_fetch_time_impl`): not at
    /// fresh-until, when directory caches may not have the next consensus yet, but at a random time
    /// from fresh-until + 3/4 of the voting interval over the next 7/8 of what is left until
    /// valid-until (public network: 45 to ~110 minutes past fresh-until), so caches have it and
    /// clients spread out. `random` is in 0..<1.
    static func refreshTime(validAfter: Date, freshUntil: Date, validUntil: Date, random: Double) -> Date {
        let interval = freshUntil.timeIntervalSince(validAfter)
        var start = freshUntil.addingTimeInterval(interval * 3 / 4)
        let window = max(1, validUntil.timeIntervalSince(start) * 7 / 8)
        if start.addingTimeInterval(window) >= validUntil { start = validUntil.addingTimeInterval(-window - 1) }
        return max(freshUntil, start.addingTimeInterval(window * random))
    }

    /// The cached directory, if its consensus verifies, is valid at `time` and every
    /// microdescriptor it needs is cached; nil otherwise (``bootstrap()`` then does the work).
    private func cachedDirectory(now time: Date) -> NetDirectory? {
        loadCachedCertificates(now: time)
        let verifier = ConsensusVerifier(authorities: config.v3Authorities, certificates: certificates)
        guard let consensus = (try? cache.loadConsensus(verifier: verifier, now: time))?.consensus.droppingText(),
              time < consensus.validUntil, missingRequiredProtocols(consensus) == nil,
              let micro = try? cache.loadMicrodescriptors(for: consensus), micro.missing.isEmpty else { return nil }
        return try? usableDirectory(consensus, Self.byDigest(micro.found))
    }

    /// Adds the still-valid authority certificates of the cache to those known.
    private func loadCachedCertificates(now time: Date) {
        mergeCertificates((try? cache.loadCertificates(trusted: config.authorities, now: time))?.valid ?? [])
    }

    /// Why onionctl cannot use `consensus` for lack of required protocols, if it enforces them
    /// (only for consensuses newer than onionctl's release, as C tor does); nil otherwise.
    private func missingRequiredProtocols(_ consensus: Consensus) -> String? {
        guard consensus.validAfter > Self.releaseDate else { return nil }
        return ProtocolPolicy(consensus: consensus).requiredExplanation
    }

    /// The warning about recommended protocols onionctl lacks, the first time a consensus names them.
    private func recommendedProtocolsWarning(_ consensus: Consensus) -> String? {
        guard let warning = ProtocolPolicy(consensus: consensus).recommendedWarning, warnedRecommended != warning else { return nil }
        warnedRecommended = warning
        return warning
    }

    /// The directory of `consensus` and its microdescriptors.
    /// - Throws: ``DirectoryError/notEnoughRelays(have:of:)`` when fewer than 3 relays are usable;
    ///   ``DirectoryError/notEnoughPaths(_:needed:)`` when less of the network's bandwidth than the
    ///   consensus's `min_paths_for_circs_pct` has microdescriptors (as C tor decides).
    private func usableDirectory(_ consensus: Consensus, _ micro: [[UInt8]: Microdescriptor]) throws -> NetDirectory {
        let directory = NetDirectory(consensus: consensus, microdescriptors: micro, isTestingNetwork: config.testingTorNetwork,
                                     enforceDistinctSubnets: config.enforceDistinctSubnets)
        if directory.relays.count < min(3, consensus.routers.count) {
            throw DirectoryError.notEnoughRelays(have: directory.relays.count, of: consensus.routers.count)
        }
        let coverage = PathCoverage(consensus: consensus) { micro[$0] != nil }
        let threshold = PathCoverage.threshold(consensus)
        if coverage.pathFraction < threshold {
            throw DirectoryError.notEnoughPaths(coverage.summary, needed: Int((threshold * 100).rounded()))
        }
        return directory
    }

    /// The microdescriptors `consensus` needs that `directory` (in memory) holds, and the digests
    /// of those it does not, in consensus order.
    static func microdescriptors(of directory: NetDirectory, for consensus: Consensus)
        -> (found: [Microdescriptor], missing: [[UInt8]]) {
        var held = [[UInt8]: Microdescriptor](minimumCapacity: directory.relays.count)
        for relay in directory.relays { held[relay.microdescriptor.digest] = relay.microdescriptor }
        var found = [Microdescriptor](), missing = [[UInt8]](), seen = Set<[UInt8]>()
        for router in consensus.routers where seen.insert(router.microdescriptorDigest).inserted {
            if let md = held[router.microdescriptorDigest] { found.append(md) } else { missing.append(router.microdescriptorDigest) }
        }
        return (found, missing)
    }

    private static func byDigest(_ descriptors: [Microdescriptor]) -> [[UInt8]: Microdescriptor] {
        Dictionary(descriptors.map { ($0.digest, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Starts fetching a newer consensus unless a fetch is under way; failures keep the current one.
    private func refreshInBackground() {
        guard refreshing == nil else { return }
        let task = Task { try await self.bootstrap().directory }
        refreshing = task
        Task {
            _ = await task.result
            self.finishedRefreshing(task)
        }
    }

    private func finishedRefreshing(_ task: Task<NetDirectory, any Error>) {
        if refreshing == task { refreshing = nil }
    }

    /// Loads what the cache holds and fetches whatever is missing or stale; then the memory the
    /// transient documents (and the directory replaced) held is given back to the system
    /// (``ProcessMemory/releaseFreePages()``), once they are freed.
    @discardableResult
    public func bootstrap() async throws -> (directory: NetDirectory, report: BootstrapReport) {
        let result = try await loadDirectory()
        ProcessMemory.releaseFreePages()
        return result
    }

    private func loadDirectory() async throws -> (directory: NetDirectory, report: BootstrapReport) {
        let started = Date()
        let time = now()
        var warnings = [String]()
        let verifierAuthorities = config.v3Authorities
        loadCachedCertificates(now: time)
        // 1. Consensus: cached if still fresh, else fetched (keeping the cached one on failure).
        var consensus: Consensus?
        var signers: [String] = []
        var source = "cache"
        var fetchedConsensus = false
        var fetchedCertificates = 0
        var consensusFromDiff = false
        downloaded = 0
        do {
            // The directory in memory is the newest this client installed (and cached): a refresh
            // starts from it rather than parsing the cached copy a second time (issue 12).
            if let current {
                consensus = current.consensus
                signers = lastReport?.signedBy ?? []
                source = "memory"
            } else if let cached = try cache.loadConsensus(
                verifier: ConsensusVerifier(authorities: verifierAuthorities, certificates: certificates),
                now: time, liveSlack: Self.reasonablyLiveSlack) {
                consensus = cached.consensus.droppingText()
                signers = cached.verification.signers
            }
        } catch {
            warnings.append("cached consensus ignored: \(error)")
        }
        var circuits = [Circuit]()
        defer { for circuit in circuits { circuit.destroy() } }
        var consensusCircuit: String?
        // The microdescriptors already parsed (in memory, or read from the cache below), so that
        // the cache file is read at most once per bootstrap.
        var parsedDirectory = current
        if consensus == nil || time >= consensus!.freshUntil {
            known = current ?? consensus.flatMap { held in
                (try? cache.loadMicrodescriptors(for: held)).map {
                    NetDirectory(consensus: held, microdescriptors: Self.byDigest($0.found), isTestingNetwork: config.testingTorNetwork)
                }
            }
            parsedDirectory = known
            if let known, let directoryGuards {
                schedule.prefer(await directoryGuards(known).map(DirectorySourceSchedule.Source.init(directoryGuard:)))
            }
            do {
                let held = Self.newer(consensus, current?.consensus)
                // With nothing usable held, keep trying sources (bounded by retryPatience); with a
                // cached consensus, a few tries and then keep the cached one.
                // While the held consensus is live, only the directory guards are asked (C tor and
                // arti spare fallbacks and authorities once bootstrapped); past its validity, anyone.
                let (fetched, circuit, name) = try await fetchConsensusFromSomeSource(
                    held: held, keepTrying: consensus == nil, guardsOnly: held.map { time < $0.validUntil } ?? false,
                    warnings: &warnings)
                circuits.append(circuit)
                consensusCircuit = Self.describe(circuit)
                fetchedCertificates = fetched.newCertificates
                let decision = ConsensusRollback.decide(fetched: fetched.consensus, held: held)
                if let held, decision != .install {
                    if decision == .refuseOlder {
                        warnings.append("refused the consensus from \(name): it is older (valid after "
                            + "\(DirTime.format(fetched.consensus.validAfter))) than the one held (valid after "
                            + "\(DirTime.format(held.validAfter))); kept the newer one")
                    }
                    consensus = held
                } else {
                    if !fetched.isLive {
                        warnings.append("\(name) served a consensus that expired at \(DirTime.format(fetched.consensus.validUntil)) UTC; "
                            + "using it until a newer one can be fetched")
                    }
                    try? cache.storeConsensus(fetched.consensus)
                    consensus = fetched.consensus.droppingText()
                    signers = fetched.signers
                    source = name
                    fetchedConsensus = true
                    consensusFromDiff = fetched.fromDiff
                }
            } catch {
                guard consensus != nil else { throw error }
                warnings.append("kept the cached consensus: \(error)")
            }
        }
        guard let consensus else { throw DirectoryError.rejectedConsensus("no consensus available") }
        if let missing = missingRequiredProtocols(consensus) { throw DirectoryError.missingProtocols(missing) }
        if let warning = recommendedProtocolsWarning(consensus) { warnings.append(warning) }
        // 2. Microdescriptors: those the cache lacks, in parallel batches.
        let cached: (found: [Microdescriptor], missing: [[UInt8]]) = parsedDirectory.map { Self.microdescriptors(of: $0, for: consensus) }
            ?? (try? cache.loadMicrodescriptors(for: consensus)) ?? ([], consensus.routers.map(\.microdescriptorDigest))
        var micro = Self.byDigest(cached.found)
        var fetchedMicro = 0
        if !cached.missing.isEmpty {
            let found = try await fetchMicrodescriptors(cached.missing, reusing: circuits.first, circuits: &circuits)
            fetchedMicro = found.count
            for descriptor in found { micro[descriptor.digest] = descriptor }
            try? cache.replaceMicrodescriptors(micro.values)
        }
        let directory = try usableDirectory(consensus, micro)
        current = directory
        let report = BootstrapReport(
            validAfter: consensus.validAfter, freshUntil: consensus.freshUntil, validUntil: consensus.validUntil,
            relaysInConsensus: consensus.routers.count, usableRelays: directory.relays.count, signedBy: signers,
            consensusSource: source, fetchedConsensus: fetchedConsensus, fetchedCertificates: fetchedCertificates,
            fetchedMicrodescriptors: fetchedMicro, cachedMicrodescriptors: cached.found.count,
            cacheDirectory: cache.directory.path, guards: [], seconds: Date().timeIntervalSince(started), warnings: warnings,
            bytesDownloaded: downloaded, consensusFromDiff: consensusFromDiff, consensusCircuit: consensusCircuit)
        lastReport = report
        return (directory, report)
    }

    /// The later of two consensuses by valid-after, either of which may be absent.
    static func newer(_ a: Consensus?, _ b: Consensus?) -> Consensus? {
        guard let a else { return b }
        guard let b else { return a }
        return b.validAfter > a.validAfter ? b : a
    }

    /// onionctl's release date: required protocols announced by consensuses newer than this are enforced (as C tor does).
    static let releaseDate = Date(timeIntervalSince1970: 1_764_000_000)

    private func mergeCertificates(_ new: [AuthorityCertificate]) {
        for certificate in new where !certificates.contains(certificate) { certificates.append(certificate) }
    }

    /// The consensus from the first source that gives a good one (``DirectorySourceSchedule``):
    /// any failure (unreachable, an error status, a document that does not parse or verify) marks
    /// that source and moves on. With `keepTrying`, sources are retried as their backoff ends until
    /// ``retryPatience`` runs out or the task is cancelled; otherwise at most three are tried.
    private func fetchConsensusFromSomeSource(held: Consensus?, keepTrying: Bool, guardsOnly: Bool, warnings: inout [String])
        async throws -> (consensus: FetchedConsensus, circuit: Circuit, source: String) {
        let deadline = Date().addingTimeInterval(keepTrying ? retryPatience : 0)
        var attempts = [String]()
        var tried = Set<String>()
        while true {
            try Task.checkCancellation()
            guard let source = schedule.next(at: Date(), excluding: keepTrying ? [] : tried, preferredOnly: guardsOnly) else {
                guard keepTrying, let retry = schedule.earliestRetry, retry < deadline else {
                    throw DirectoryError.noDirectoryReachable(Self.summarized(attempts))
                }
                let wait = max(0.05, retry.timeIntervalSince(Date()))
                tell("every directory source failed recently; trying again in \(Int(wait.rounded(.up))) s")
                try await Task.sleep(for: .seconds(wait))
                continue
            }
            tried.insert(source.name)
            var circuit: Circuit?
            do {
                let built = try await directoryCircuit(to: source)
                circuit = built
                let fetched = try await fetchConsensus(on: built, host: source.name, held: held, warnings: &warnings)
                schedule.succeeded(source.name)
                if !attempts.isEmpty {
                    warnings.append("consensus from \(source.name) after \(attempts.count) failed source(s): "
                                    + Self.summarized(attempts).joined(separator: "; "))
                }
                return (fetched, built, source.name)
            } catch {
                circuit?.destroy()
                if error is CancellationError || Task.isCancelled { throw error }
                schedule.failed(source.name, at: Date())
                attempts.append("\(source.name): \(error)")
                tell("consensus from \(source.name) failed: \(error); trying another source")
                if !keepTrying && tried.count >= 3 { throw DirectoryError.noDirectoryReachable(Self.summarized(attempts)) }
                if keepTrying && Date() >= deadline { throw DirectoryError.noDirectoryReachable(Self.summarized(attempts)) }
            }
        }
    }

    /// A one-hop circuit to `source`: CREATE2 (ntor v3 with a congestion-control request when
    /// the relay and the consensus allow it, as C tor's client does) when the known directory
    /// lists the source at that address; CREATE_FAST otherwise (no onion key known yet, as at a
    /// first bootstrap).
    private func directoryCircuit(to source: DirectorySourceSchedule.Source) async throws -> Circuit {
        if let known, let relay = known.relay(rsaIdentity: source.identity), relay.orAddress == source.address {
            let parameters = congestionControl
                ? CongestionControlParameters(consensus: known.consensus.params, path: .directory) : nil
            return try await builder.buildDirectoryCircuit(to: relay, congestionControl: parameters)
        }
        return try await builder.buildDirectoryCircuit(to: source.address, rsaIdentity: source.identity, name: source.name)
    }

    /// "ntor v3, congestion control (sendme_inc 31)", "CREATE_FAST, fixed windows", …: how a
    /// one-hop directory circuit was built and what flow control it runs.
    static func describe(_ circuit: Circuit) -> String {
        let handshake: String
        switch circuit.hopHandshakeTypes.first ?? nil {
        case HandshakeType.createFast: handshake = "CREATE_FAST"
        case HandshakeType.ntorV3: handshake = "ntor v3"
        case HandshakeType.ntor: handshake = "ntor"
        default: handshake = "unknown handshake"
        }
        guard let vegas = circuit.congestionState(hop: 0) else { return "\(handshake), fixed windows" }
        return "\(handshake), congestion control (sendme_inc \(vegas.sendmeIncrement))"
    }

    /// Failed attempts with repeats folded: "authority auth1: connection refused (4 times)".
    static func summarized(_ attempts: [String]) -> [String] {
        var counts = [String: Int](), order = [String]()
        for attempt in attempts {
            if counts[attempt] == nil { order.append(attempt) }
            counts[attempt, default: 0] += 1
        }
        return order.map { counts[$0]! > 1 ? "\($0) (\(counts[$0]!) times)" : $0 }
    }

    /// The microdescriptors for `digests`, in batches fetched in parallel over one directory
    /// circuit (`reusing` the consensus's when there is one). Batches that fail or come back
    /// incomplete are asked again of other sources, up to two more rounds; what is still missing
    /// then is left out (``usableDirectory`` decides whether enough is usable).
    private func fetchMicrodescriptors(_ digests: [[UInt8]], reusing first: Circuit?, circuits: inout [Circuit]) async throws
        -> [Microdescriptor] {
        var missing = Set(digests)
        var found = [Microdescriptor]()
        var used = Set<String>()
        for round in 0..<3 where !missing.isEmpty {
            let circuit: Circuit
            if round == 0, let first {
                circuit = first
            } else {
                guard let source = schedule.next(at: Date(), excluding: used) else { break }
                used.insert(source.name)
                do {
                    circuit = try await directoryCircuit(to: source)
                } catch {
                    schedule.failed(source.name, at: Date())
                    tell("microdescriptors from \(source.name) failed: \(error)")
                    continue
                }
                circuits.append(circuit)
            }
            if round > 0 { tell("asking again for \(missing.count) microdescriptors") }
            let wanted = missing
            let paths = DirectoryURLs.microdescriptors(digests: Array(wanted))
            let batches = await withTaskGroup(of: ([Microdescriptor], Int, String?).self) { group in
                for path in paths {
                    group.addTask {
                        do {
                            let response = try await DirectoryHTTP.get(path, on: circuit, host: "directory")
                            guard response.status == 200 else { return ([], response.wireBytes, "HTTP \(response.status)") }
                            return (try Microdescriptor.parseAll(response.body, wanted: wanted).descriptors, response.wireBytes, nil)
                        } catch {
                            return ([], 0, "\(error)")
                        }
                    }
                }
                var results = [([Microdescriptor], Int, String?)]()
                for await result in group { results.append(result) }
                return results
            }
            for (descriptors, bytes, failure) in batches {
                downloaded += bytes
                if let failure { tell("a microdescriptor batch failed: \(failure)") }
                for descriptor in descriptors where missing.remove(descriptor.digest) != nil { found.append(descriptor) }
            }
        }
        return found
    }

    private func tell(_ message: String) { progressHandler?(message) }

    /// The current consensus from `host`: as a diff from `held` when the server offers one (prop
    /// 140; C tor asks when the held one is younger than `try-diff-for-consensus-newer-than`
    /// hours, 72 by default), else whole. A diff that does not apply is reported and the whole
    /// document fetched instead.
    typealias FetchedConsensus = (consensus: Consensus, signers: [String], newCertificates: Int, isLive: Bool, fromDiff: Bool)

    private func fetchConsensus(on circuit: Circuit, host: String, held: Consensus?, warnings: inout [String]) async throws
        -> FetchedConsensus {
        let path = DirectoryURLs.consensus(authorities: config.v3Authorities)
        // The held consensus is kept without its text; a diff is asked for only when the cache
        // still has that text to apply it to.
        var diffBase: (consensus: Consensus, text: [UInt8])?
        if let held {
            let hours = held.params.value("try-diff-for-consensus-newer-than", default: 72, range: 0...8192)
            if held.validAfter >= now().addingTimeInterval(-Double(hours) * 3600),
               let text = held.text.isEmpty ? cache.consensusText(signedDigest: held.signedDigestSHA3) : held.text {
                diffBase = (held, text)
            }
        }
        let headers = diffBase.map { [(name: ConsensusDiff.requestHeader, value: ConsensusDiff.requestValue(for: $0.consensus))] } ?? []
        var response = try await DirectoryHTTP.get(path, on: circuit, host: host, headers: headers)
        downloaded += response.wireBytes
        // C tor's directory caches answer 304 when the diff base we name is their newest consensus.
        if response.status == 304, diffBase != nil { throw DirectoryError.nothingNewer(host) }
        guard response.status == 200 else {
            throw DirectoryError.badResponse(path, "HTTP \(response.status) from \(host)")
        }
        var text = response.body
        var fromDiff = false
        if let diffBase, ConsensusDiff.looksLikeDiff(text) {
            do {
                text = try ConsensusDiff.apply(text, toText: diffBase.text, heldDigest: diffBase.consensus.signedDigestSHA3)
                fromDiff = true
            } catch {
                warnings.append("the consensus diff from \(host) did not apply (\(error)); fetched the whole consensus")
                response = try await DirectoryHTTP.get(path, on: circuit, host: host)
                downloaded += response.wireBytes
                guard response.status == 200 else {
                    throw DirectoryError.badResponse(path, "HTTP \(response.status) from \(host)")
                }
                text = response.body
            }
        }
        let consensus: Consensus
        do { consensus = try Consensus(text) } catch {
            throw DirectoryError.rejectedConsensus("\(host) sent an unparsable consensus: \(error)")
        }
        // Fetch the certificates of signers we lack.
        let trusted = Set(config.trustedIdentities)
        let known = Set(certificates.map { $0.fingerprint + $0.signingKeyDigest })
        let needed = consensus.signatures.filter { trusted.contains($0.identity) && !known.contains($0.identity + $0.signingKeyDigest) }
        var added = 0
        if !needed.isEmpty {
            let certPath = DirectoryURLs.authorityCertificates(identities: needed.map(\.identity))
            let certResponse = try await DirectoryHTTP.get(certPath, on: circuit, host: host)
            downloaded += certResponse.wireBytes
            if certResponse.status == 200, let parsed = try? AuthorityCertificate.parseAll(certResponse.body) {
                let valid = parsed.filter { $0.isValid(trustedIdentities: config.trustedIdentities, now: now()) }
                added = valid.count
                mergeCertificates(valid)
                try? cache.storeCertificates(certificates)
            }
        }
        let verifier = ConsensusVerifier(authorities: config.v3Authorities, certificates: certificates)
        do {
            // A directory cache may serve a consensus that has just expired (the network's next one
            // is late): like C tor (reasonably live, 24 h) and arti (post-valid tolerance), use it
            // with a warning; the next netDirectory() call tries for a newer one at once.
            let verification = try verifier.verify(consensus, now: now(), liveSlack: Self.reasonablyLiveSlack)
            return (consensus, verification.signers, added, verification.isLive, fromDiff)
        } catch {
            throw DirectoryError.rejectedConsensus("\(error)")
        }
    }
}
