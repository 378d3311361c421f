import FoundationEssentials
import TorDirectory
import TorProto

/// The client's entry guards as guard-spec (prop 271) and C tor 0.4.9 `entrynodes.c` keep them:
/// a persisted sample drawn from the consensus guards, filtered to those usable now, a few
/// primary guards tried in order, confirmed guards remembered in the order they were first used,
/// per-guard retry schedules, and a bounded way out when every guard fails.
///
/// Not modelled: bridges, `EntryNodes`/`ExcludeNodes`, path bias, directory guards.
public actor GuardSet {
    /// What is known about a guard's reachability now (not persisted).
    public enum Reachability: String, Sendable {
        case yes, no, maybe
    }

    /// How a circuit through the chosen guard may be used (guard-spec §4.6).
    public enum Usability: Sendable, Equatable {
        /// A primary guard: the circuit is usable once built.
        case onCompletion
        /// A non-primary guard: usable only if no primary guard turns out to work.
        case ifNoBetterGuard
    }

    /// A guard chosen for one circuit.
    public struct Choice: Sendable {
        public var relay: Relay
        public var usability: Usability
    }

    /// One sampled guard as status views show it.
    public struct Status: Sendable, Equatable {
        public var nickname: String
        public var rsaIdentity: String
        public var isPrimary: Bool
        public var isConfirmed: Bool
        public var isListed: Bool
        public var reachable: Reachability
        public var failingSince: Date?
        /// When an unreachable guard becomes worth trying again.
        public var retryAt: Date?
    }

    private struct Runtime {
        var reachable = Reachability.maybe
        var failingSince: Date?
        var lastTried: Date?
        var pending = false
    }

    private let fileURL: URL?
    private let clock: @Sendable () -> Date
    public private(set) var state: GuardState
    /// Why the stored state was not used (it was rebuilt), for status views; `nil` when fine.
    public private(set) var loadProblem: String?
    /// Primary guards (hex identities), first preferred; derived, not persisted.
    public private(set) var primary: [String] = []
    private var runtime: [String: Runtime] = [:]
    private var parameters = GuardParameters()
    /// Hex identities of the sampled guards the current directory lists as usable guards.
    private var listedNow: [String: Relay] = [:]
    private var lastTimeOnInternet: Date?

    /// - Parameters:
    ///   - fileURL: where to persist the state (`nil` keeps it in memory).
    ///   - clock: the time used for retry schedules and dates (tests move it forward).
    public init(fileURL: URL?, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.fileURL = fileURL
        self.clock = clock
        state = GuardState()
        guard let fileURL, let data = try? Data(contentsOf: fileURL) else { return }
        let (loaded, problem) = GuardState.load(data)
        state = loaded
        if let problem {
            loadProblem = "\(fileURL.path): \(problem)"
            // Keep the damaged file for inspection; the next save writes a fresh one.
            let aside = fileURL.appendingPathExtension("damaged")
            try? FileManager.default.removeItem(at: aside)
            try? FileManager.default.copyItem(at: fileURL, to: aside)
        }
    }

    // MARK: Consensus (guard-spec §4.1, §4.2, §4.4, §4.10)

    /// Whether `relay` belongs to {GUARDS}: Guard, Stable, Fast and V2Dir (C `node_is_possible_guard`),
    /// and never a MiddleOnly relay.
    public static func isPossibleGuard(_ relay: Relay) -> Bool {
        relay.flags.isSuperset(of: [.guard, .stable, .fast, .v2Dir]) && PathRules.may(relay, serveAs: .guard)
    }

    /// Brings the sample up to date with `directory`: listed/unlisted marks, expiry, topping the
    /// sample up to the minimum of usable guards, and the primary guards.
    public func update(_ directory: NetDirectory) {
        let now = clock()
        parameters = GuardParameters(directory.consensus.params)
        let before = state
        var guardsByID = [String: Relay]()
        for relay in directory.relays where Self.isPossibleGuard(relay) { guardsByID[hexString(relay.rsaIdentity)] = relay }
        for index in state.sampled.indices {
            let listed = guardsByID[state.sampled[index].rsaIdentity] != nil
            if listed {
                state.sampled[index].isListed = true
                state.sampled[index].firstUnlistedAt = nil
            } else if state.sampled[index].isListed {
                state.sampled[index].isListed = false
                state.sampled[index].firstUnlistedAt = Self.randomPast(now, within: parameters.removeUnlistedAfter / 5)
            }
        }
        // Expiry: long unlisted, or past its lifetime and not confirmed recently.
        let expired = Set(state.sampled.filter { guardEntry in
            if !guardEntry.isListed, let since = guardEntry.firstUnlistedAt,
               now.timeIntervalSince(since) > parameters.removeUnlistedAfter { return true }
            guard now.timeIntervalSince(guardEntry.addedOn) > parameters.guardLifetime else { return false }
            return guardEntry.confirmedOn.map { now.timeIntervalSince($0) > parameters.confirmedMinLifetime } ?? true
        }.map(\.rsaIdentity))
        state.sampled.removeAll { expired.contains($0.rsaIdentity) }
        state.confirmed.removeAll { expired.contains($0) }
        for id in expired { runtime[id] = nil }
        listedNow = [:]
        for entry in state.sampled { if let relay = guardsByID[entry.rsaIdentity] { listedNow[entry.rsaIdentity] = relay } }
        // Top up: until enough sampled guards are usable, or the sample is full (guard-spec §4.2).
        let maxSample = parameters.maxSample(guardCount: guardsByID.count)
        let selector = PathSelector(directory: directory)
        while usableFiltered().count < parameters.minFilteredSample && state.sampled.count < maxSample {
            let sampledIDs = Set(state.sampled.map(\.rsaIdentity))
            guard let relay = try? selector.pick(.guard, requiring: [.guard, .stable, .fast, .v2Dir],
                                                 where: { !sampledIDs.contains(hexString($0.rsaIdentity)) }) else { break }
            let id = hexString(relay.rsaIdentity)
            state.sampled.append(GuardState.Sampled(rsaIdentity: id, nickname: relay.nickname,
                                                    addedOn: Self.randomPast(now, within: parameters.guardLifetime / 10),
                                                    isListed: true))
            listedNow[id] = relay
        }
        updatePrimary()
        if state != before { save() }
    }

    /// {USABLE_FILTERED_GUARDS}: listed now, and not known unreachable.
    private func usableFiltered() -> [String] {
        state.sampled.map(\.rsaIdentity).filter { listedNow[$0] != nil && runtime[$0]?.reachable != .no }
    }

    /// guard-spec §4.4: confirmed guards first, then the earlier non-confirmed primary guards
    /// (a primary guard is only ever displaced by a confirmed one), then the sample in order.
    private func updatePrimary() {
        let filtered = state.sampled.map(\.rsaIdentity).filter { listedNow[$0] != nil }
        let filteredSet = Set(filtered)
        var next = Array(state.confirmed.filter(filteredSet.contains).prefix(parameters.primaryCount))
        for id in primary + filtered where next.count < parameters.primaryCount && filteredSet.contains(id) && !next.contains(id) {
            next.append(id)
        }
        primary = next
    }

    // MARK: Choosing (guard-spec §4.5, §4.6)

    /// The guard for a new circuit. `allowed` restricts this circuit only (e.g. not its last hop).
    /// - Throws: ``GuardSelectionError`` when no sampled guard may be tried now; every guard is
    ///   then marked worth retrying, so the next attempt starts again from the first primary guard.
    public func select(in directory: NetDirectory, allowed: @Sendable (Relay) -> Bool = { _ in true }) throws -> Choice {
        update(directory)
        let now = clock()
        markRetriable(now)
        func usable(_ id: String) -> Relay? {
            guard let relay = listedNow[id], runtime[id]?.reachable != .no, allowed(relay) else { return nil }
            return relay
        }
        // A primary guard that may work: one of the first `primaryToUse` such, at random.
        let primaries = primary.compactMap { id in usable(id).map { (id, $0) } }.prefix(parameters.primaryToUse)
        if let (id, relay) = primaries.randomElement() {
            runtime[id, default: Runtime()].lastTried = now
            return Choice(relay: relay, usability: .onCompletion)
        }
        // Else the first confirmed guard not being tried already, else the sample in order.
        let isPrimary = Set(primary)
        let confirmed = state.confirmed.filter { !isPrimary.contains($0) && usable($0) != nil }
        let others = state.sampled.map(\.rsaIdentity).filter { !isPrimary.contains($0) && usable($0) != nil }
        let candidates = confirmed.isEmpty ? others : confirmed
        if let id = candidates.first(where: { runtime[$0]?.pending != true }) ?? candidates.first, let relay = usable(id) {
            runtime[id, default: Runtime()].lastTried = now
            runtime[id, default: Runtime()].pending = true
            return Choice(relay: relay, usability: .ifNoBetterGuard)
        }
        let sampledCount = state.sampled.count
        for id in runtime.keys { runtime[id]?.reachable = .maybe }
        throw GuardSelectionError.noGuardReachable(sampled: sampledCount)
    }

    /// guard-spec §4.5: an unreachable guard is worth trying again once its retry delay passed.
    private func markRetriable(_ now: Date) {
        let isPrimary = Set(primary)
        for (id, entry) in runtime where entry.reachable == .no {
            guard let since = entry.failingSince else { continue }
            let delay = GuardParameters.retryDelay(failingFor: now.timeIntervalSince(since), primary: isPrimary.contains(id))
            if now.timeIntervalSince(entry.lastTried ?? since) >= delay { runtime[id]?.reachable = .maybe }
        }
    }

    // MARK: Outcomes (guard-spec §4.7, §4.8)

    /// A circuit could not be built because of its guard (connection or first hop).
    public func markFailed(_ relay: Relay) {
        let id = hexString(relay.rsaIdentity)
        guard state.sampled.contains(where: { $0.rsaIdentity == id }) else { return }
        let now = clock()
        var entry = runtime[id, default: Runtime()]
        entry.reachable = .no
        entry.failingSince = entry.failingSince ?? now
        entry.pending = false
        runtime[id] = entry
    }

    /// A circuit through `relay` was built. Returns whether it may be used now: always for a
    /// primary guard; for another only when every primary guard is known unreachable (and the
    /// network was not just down, in which case the primary guards are tried again first).
    @discardableResult
    public func markSucceeded(_ relay: Relay, usability: Usability = .onCompletion) -> Bool {
        let id = hexString(relay.rsaIdentity)
        guard state.sampled.contains(where: { $0.rsaIdentity == id }) else { return true }
        let now = clock()
        runtime[id] = Runtime(reachable: .yes, failingSince: nil, lastTried: runtime[id]?.lastTried, pending: false)
        let wasOnline = lastTimeOnInternet.map { now.timeIntervalSince($0) <= parameters.internetLikelyDownInterval } ?? false
        lastTimeOnInternet = now
        if !state.confirmed.contains(id), let index = state.sampled.firstIndex(where: { $0.rsaIdentity == id }) {
            state.confirmed.append(id)
            state.sampled[index].confirmedOn = Self.randomPast(now, within: parameters.guardLifetime / 10)
            updatePrimary()
            save()
        }
        if usability == .onCompletion || primary.contains(id) { return true }
        if !wasOnline {
            for primaryID in primary { runtime[primaryID, default: Runtime()].reachable = .maybe }
            return false
        }
        return primary.allSatisfy { runtime[$0]?.reachable == .no }
    }

    // MARK: Status

    /// Every sampled guard with what is known of it, primary guards first, then in sample order.
    public func status() -> [Status] {
        let now = clock()
        let isPrimary = Set(primary)
        let ordered = primary.compactMap { id in state.sampled.first { $0.rsaIdentity == id } }
            + state.sampled.filter { !isPrimary.contains($0.rsaIdentity) }
        return ordered.map { entry in
            let run = runtime[entry.rsaIdentity] ?? Runtime()
            var retryAt: Date?
            if run.reachable == .no, let since = run.failingSince {
                let delay = GuardParameters.retryDelay(failingFor: now.timeIntervalSince(since), primary: isPrimary.contains(entry.rsaIdentity))
                retryAt = (run.lastTried ?? since).addingTimeInterval(delay)
            }
            return Status(nickname: entry.nickname, rsaIdentity: entry.rsaIdentity, isPrimary: isPrimary.contains(entry.rsaIdentity),
                          isConfirmed: state.confirmed.contains(entry.rsaIdentity), isListed: entry.isListed,
                          reachable: run.reachable, failingSince: run.failingSince, retryAt: retryAt)
        }
    }

    /// The primary guards of `directory`, first preferred (for reports).
    public func primaryGuards(in directory: NetDirectory) -> [Relay] {
        update(directory)
        return primary.compactMap { listedNow[$0] }
    }

    /// RAND(now, interval) of guard-spec A.2: a time up to `interval` in the past, in whole seconds.
    static func randomPast(_ now: Date, within interval: TimeInterval) -> Date {
        let seconds = (now.timeIntervalSince1970 - TimeInterval.random(in: 0...max(interval, 0))).rounded(.down)
        return Date(timeIntervalSince1970: seconds)
    }

    private func save() {
        guard let fileURL, let data = try? state.encoded() else { return }
        try? FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: fileURL)
    }
}

/// No guard could be chosen for a circuit.
public enum GuardSelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    case noGuardReachable(sampled: Int)

    public var description: String {
        switch self {
        case let .noGuardReachable(sampled):
            return "none of the \(sampled) sampled entry guards could be reached; all will be tried again on the next "
                + "attempt (check the network connection, or a firewall blocking Tor relays)"
        }
    }
}
