import FoundationEssentials
import TorCircuits
import TorCrypto
import TorDirectory
import TorProto

/// Reaches v3 onion services: finds and decrypts their descriptor, introduces itself, joins the
/// rendezvous and opens streams over the resulting circuit. One rendezvous circuit per service
/// is kept and reused for its streams, and rebuilt when it dies.
public actor OnionServiceConnector {
    public typealias ProgressHandler = @Sendable (ConnectionProgress) -> Void

    struct CachedDescriptor {
        var content: HSDescriptorContent
        var period: TimePeriod
        var expires: Date

        /// Whether this descriptor may be used for a new connection in `period` at `now`: the same
        /// time period, not expired, and (as C tor decides whether to refetch) no `pow-params`
        /// whose expiration time has passed: a stale seed would cost a solve the service rejects.
        func isUsable(in period: TimePeriod, now: Date) -> Bool {
            period == self.period && expires > now && !IntroductionProofOfWork.hasExpiredParameters(content, now: now)
        }
    }

    private let network: any OnionServiceNetwork
    private let stepTimeout: TimeInterval
    private var descriptors: [OnionAddress: CachedDescriptor] = [:]
    private var rendezvous: [OnionAddress: Circuit] = [:]
    private var pending: [OnionAddress: SharedBuild] = [:]
    /// From INTRODUCE_ACK to RENDEZVOUS2: three times the slowest recent join, at least 6 s (a
    /// Minitor device ignores introductions for about 5 s after one), 10 s before any join was seen.
    private var rendezvousWait = LearnedWait(floor: 6, initial: 10)
    /// From BEGIN to CONNECTED on a rendezvous circuit that is reused: three times the slowest
    /// recent stream open, at least 6 s. Past it the circuit is taken for dead (its service end may
    /// be gone without the DESTROY reaching us) and the request goes on over a new one.
    private var reusedStreamWait = LearnedWait(floor: 6, initial: 10)
    /// Proof of work for services that ask for it (`pow-params` in their descriptor).
    private let proofOfWork: IntroductionProofOfWork
    /// Introductions a service accepted but never answered since we last reached it: each one
    /// raises the proof-of-work effort of the next (as C tor's unreachable count does).
    private var unansweredIntroductions: [OnionAddress: Int] = [:]

    private let renewal: RendezvousRenewal
    /// When a background renewal of a service's rendezvous circuit last failed.
    private var renewalFailedAt: [OnionAddress: Date] = [:]
    /// Whether to ask services for congestion control (``RendezvousCongestionControl``).
    private let requestCongestionControl: Bool
    /// Descriptors kept on disk for the next process, if any (``HSDescriptorStore``).
    private let store: HSDescriptorStore?

    /// - Parameters:
    ///   - proofOfWorkBudget: the most time one proof-of-work solve may take before the
    ///     introduction goes without one.
    ///   - descriptorStore: where descriptors are kept between processes (nil: memory only).
    public init(network: any OnionServiceNetwork, stepTimeout: TimeInterval = 30,
                renewal: RendezvousRenewal = .default, requestCongestionControl: Bool = true,
                proofOfWorkBudget: Duration = .seconds(60), descriptorStore: HSDescriptorStore? = nil) {
        self.network = network
        self.store = descriptorStore
        self.stepTimeout = stepTimeout
        self.renewal = renewal
        self.requestCongestionControl = requestCongestionControl
        self.proofOfWork = IntroductionProofOfWork(budget: proofOfWorkBudget)
    }

    /// Opens a stream to `port` of the service, building or reusing its rendezvous circuit.
    public func connect(to address: OnionAddress, port: UInt16, clientAuthKey: X25519PrivateKey?,
                        progress: ProgressHandler? = nil) async throws -> TorStream {
        let started = Date()
        let report: @Sendable (ConnectionPhase, String) -> Void = { phase, detail in
            progress?(ConnectionProgress(onion: address.description, phase: phase, detail: detail,
                                         elapsed: Date().timeIntervalSince(started)))
        }
        for attempt in 0..<2 {
            let held = openCircuit(to: address)
            let circuit = try await rendezvousCircuit(for: address, clientAuthKey: clientAuthKey, report: report)
            let reused = circuit === held
            let wait = reused ? reusedStreamWait.bound(ceiling: stepTimeout) : stepTimeout
            let opening = Date()
            do {
                let stream = try await circuit.openStream(.begin, body: BeginMessage(address: "", port: port).encoded(),
                                                          timeout: wait)
                reusedStreamWait.record(Date().timeIntervalSince(opening))
                report(.connected, "stream open on port \(port)")
                return stream
            } catch CircuitError.timedOut where reused && attempt == 0 {
                report(.rendezvous, "no answer on the open circuit after \(Int(wait.rounded())) s; building a new one")
                forget(address, circuit)
            } catch let error as StreamError {
                if case let .refused(reason) = error {
                    throw OnionServiceError.streamRefused(onion: address.description, port: port, detail: "\(reason)")
                }
                forget(address, circuit)
                if attempt == 1 { throw OnionServiceError.rendezvousFailed(onion: address.description, detail: "\(error)") }
            } catch {
                forget(address, circuit)
                if attempt == 1 { throw mapped(error, address) }
            }
        }
        throw OnionServiceError.rendezvousFailed(onion: address.description, detail: "the rendezvous circuit kept failing")
    }

    /// The descriptor cached for `address`, if any (for status views and tests).
    public func cachedDescriptor(for address: OnionAddress) -> HSDescriptorContent? { descriptors[address]?.content }

    /// Closes the rendezvous circuit to `address` but keeps its descriptor.
    public func dropCircuit(to address: OnionAddress) {
        rendezvous[address]?.destroy()
        rendezvous[address] = nil
    }

    /// The open rendezvous circuit to `address`, if any.
    public func openCircuit(to address: OnionAddress) -> Circuit? {
        guard let circuit = rendezvous[address], circuit.isOpen else { return nil }
        return circuit
    }

    /// Drops the descriptor held in memory and the circuit for `address` (e.g. after the user
    /// changed its key). A descriptor kept on disk stays: it is decrypted again, with the key then
    /// set, whenever it is read (a client sets its keys at every start, so removing it here would
    /// throw away every kept descriptor of a client-auth service).
    public func reset(_ address: OnionAddress) {
        descriptors[address] = nil
        rendezvous[address]?.destroy()
        rendezvous[address] = nil
    }

    /// Drops `address`'s descriptor from memory and from the store.
    private func forgetDescriptor(_ address: OnionAddress) {
        descriptors[address] = nil
        store?.remove(address)
    }

    private func forget(_ address: OnionAddress, _ circuit: Circuit) {
        circuit.destroy()
        if rendezvous[address] === circuit { rendezvous[address] = nil }
    }

    private func rendezvousCircuit(for address: OnionAddress, clientAuthKey: X25519PrivateKey?,
                                   report: @escaping @Sendable (ConnectionPhase, String) -> Void) async throws -> Circuit {
        if let circuit = rendezvous[address], circuit.isOpen {
            switch renewal.decision(for: circuit.lastHopPackageWindow) {
            case .keep:
                return circuit
            case .renewInBackground:
                if pending[address] == nil && !renewalBackingOff(address) {
                    // Progress of this build belongs to no request: it is reported nowhere.
                    _ = startEstablishing(address, clientAuthKey: clientAuthKey, report: { _, _ in })
                }
                return circuit
            case .renewAndWait:
                report(.rendezvous, "the service has not acknowledged this circuit's data; moving to a new circuit")
                do {
                    return try await startEstablishing(address, clientAuthKey: clientAuthKey, report: report).value()
                } catch where circuit.isOpen && (circuit.lastHopPackageWindow?.remaining ?? 0) > 0 {
                    // No replacement now (the service may limit introductions): the old circuit
                    // still has some room, so this request is not failed for it.
                    return circuit
                }
            }
        }
        rendezvous[address] = nil
        return try await startEstablishing(address, clientAuthKey: clientAuthKey, report: report).value()
    }

    /// The build of `address`'s next rendezvous circuit, started if none is under way. The circuit
    /// it makes replaces the current one, which is closed once its streams are done.
    private func startEstablishing(_ address: OnionAddress, clientAuthKey: X25519PrivateKey?,
                                   report: @escaping @Sendable (ConnectionPhase, String) -> Void) -> SharedBuild {
        // A build every requester gave up on (cancelled) is not joined: a new one starts.
        if let build = pending[address], !build.isCancelled { return build }
        let id = UUID()
        let task = Task {
            do {
                let circuit = try await self.establish(address, clientAuthKey: clientAuthKey, report: report)
                self.adopt(circuit, for: address, build: id)
                return circuit
            } catch {
                if self.pending[address]?.id == id { self.pending[address] = nil }
                if !(error is CancellationError) { self.renewalFailedAt[address] = Date() }
                throw error
            }
        }
        let build = SharedBuild(id: id, task: task)
        pending[address] = build
        return build
    }

    private func adopt(_ circuit: Circuit, for address: OnionAddress, build: UUID) {
        if pending[address]?.id == build { pending[address] = nil }
        renewalFailedAt[address] = nil
        if let old = rendezvous[address], old !== circuit { retire(old) }
        rendezvous[address] = circuit
    }

    private func renewalBackingOff(_ address: OnionAddress) -> Bool {
        guard let failed = renewalFailedAt[address] else { return false }
        return Date().timeIntervalSince(failed) < renewal.retryAfter
    }

    /// Closes a replaced circuit once the streams still open on it are done (bounded: a stream
    /// that outlives four step timeouts is cut).
    private func retire(_ circuit: Circuit) {
        let limit = Date().addingTimeInterval(stepTimeout * 4)
        Task.detached {
            while circuit.isOpen && circuit.streamCount > 0 && Date() < limit {
                try? await Task.sleep(for: .milliseconds(250))
            }
            circuit.destroy()
        }
    }

    private func establish(_ address: OnionAddress, clientAuthKey: X25519PrivateKey?,
                           report: @escaping @Sendable (ConnectionPhase, String) -> Void) async throws -> Circuit {
        var notFoundRetries = 0
        while true {
            report(.directory, "checking the network directory")
            let directory: NetDirectory
            do { directory = try await network.netDirectory() } catch {
                throw OnionServiceError.network("no usable directory: \(error)")
            }
            do {
                // The previous period's descriptor is asked for on the first try only: a device that
                // is simply offline costs one more round of HSDir fetches per read, not three.
                return try await establish(address, directory: directory, clientAuthKey: clientAuthKey,
                                           tryPreviousPeriod: notFoundRetries == 0, report: report)
            } catch OnionServiceError.descriptorNotFound(let onion, let tried) {
                // Around a time-period rotation the service may not have published for the period
                // our consensus implies yet; a newer consensus and a moment later usually find it.
                guard notFoundRetries < Self.descriptorNotFoundRetries else {
                    throw OnionServiceError.descriptorNotFound(onion: onion, triedDirectories: tried)
                }
                notFoundRetries += 1
                report(.descriptor, "not published yet; retrying (\(notFoundRetries) of \(Self.descriptorNotFoundRetries))")
                try await Task.sleep(for: .seconds(Self.descriptorRetryDelay))
            }
        }
    }

    /// Relays on the circuit to an HSDir and to an introduction point, the endpoint included: 4 as
    /// in C tor (`route_len_for_purpose`: an endpoint someone else chose gets an extra hop), i.e.
    /// guard, layer-2 vanguard, middle, endpoint. A rendezvous point, chosen by the client, is
    /// reached over 3 (guard, layer-2 vanguard, rendezvous point).
    static let hsdirHops = 4
    static let introductionHops = 4

    /// How often a "not found" descriptor lookup is retried, and how long to wait between tries.
    static let descriptorNotFoundRetries = 2
    static let descriptorRetryDelay: Double = 4

    private func establish(_ address: OnionAddress, directory: NetDirectory, clientAuthKey: X25519PrivateKey?,
                           tryPreviousPeriod: Bool,
                           report: @escaping @Sendable (ConnectionPhase, String) -> Void) async throws -> Circuit {
        for refetch in [false, true] {
            // The rendezvous point does not depend on the descriptor: set it up meanwhile.
            let rendezvousPoint = PendingRendezvous(network: network, directory: directory, stepTimeout: stepTimeout)
            let descriptor: HSDescriptorContent, keys: BlindedKeys
            do {
                (descriptor, keys) = try await self.descriptor(for: address, directory: directory, clientAuthKey: clientAuthKey,
                                                               forceFetch: refetch, tryPreviousPeriod: tryPreviousPeriod,
                                                               report: report)
            } catch {
                rendezvousPoint.discard()
                throw error
            }
            do {
                return try await introduceAndRendezvous(address, descriptor: descriptor, keys: keys, directory: directory,
                                                         rendezvousPoint: rendezvousPoint, staleOnFirstRefusal: !refetch,
                                                         report: report)
            } catch is StaleDescriptorSuspected {
                // An introduction point no longer knows the service: it has restarted or moved its
                // introduction points, and the HSDirs may well have its new descriptor already.
                forgetDescriptor(address)
                report(.descriptor, "an introduction point no longer knows the service (restarted?); fetching a fresh descriptor")
            } catch {
                // Every introduction point failed, or every one that accepted us was ignored by the
                // service (a restarted device no longer knows the old keys): the cached descriptor is
                // dropped at once, and the first time a fresh one is fetched from every directory.
                let final: OnionServiceError
                switch error {
                case let notJoined as ServiceDidNotJoin: final = notJoined.error
                case let error as OnionServiceError:
                    switch error {
                    case .introductionFailed, .serviceOffline: final = error
                    default: throw error
                    }
                default: throw error
                }
                forgetDescriptor(address)
                if refetch { throw final }
                report(.descriptor, "no introduction point led to the service; fetching a fresh descriptor")
            }
        }
        throw OnionServiceError.introductionFailed(onion: address.description, detail: "every introduction point failed")
    }

    // MARK: Descriptor

    private func descriptor(for address: OnionAddress, directory: NetDirectory, clientAuthKey: X25519PrivateKey?,
                            forceFetch: Bool, tryPreviousPeriod: Bool,
                            report: @Sendable (ConnectionPhase, String) -> Void) async throws
        -> (HSDescriptorContent, BlindedKeys) {
        let consensus = directory.consensus
        let period: TimePeriod
        do {
            period = try TimePeriod(validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
                                    hsdirIntervalMinutes: Int(consensus.params.hsdirInterval),
                                    testingNetwork: directory.isTestingNetwork)
        } catch {
            throw OnionServiceError.network("cannot compute the time period: \(error)")
        }
        let keys: BlindedKeys
        do { keys = try BlindedKeys(address: address, period: period) } catch {
            throw OnionServiceError.invalidAddress("\(error)")
        }
        if !forceFetch, let cached = descriptors[address] {
            if cached.isUsable(in: period, now: Date()) { return (cached.content, keys) }
            if IntroductionProofOfWork.hasExpiredParameters(cached.content, now: Date()) {
                report(.descriptor, "the descriptor's proof-of-work seed has expired; fetching a fresh descriptor")
            }
        } else if !forceFetch, let kept = storedDescriptor(address, keys: keys, period: period, clientAuthKey: clientAuthKey,
                                                           report: report) {
            return (kept, keys)
        }
        report(.descriptor, "fetching the descriptor")
        let srv = HSDirRing.sharedRandomValueForFetching(
            validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
            current: consensus.sharedRandCurrent?.value, previous: consensus.sharedRandPrevious?.value, period: period)
        let fetched = try await askResponsibleHSDirs(address, keys: keys, sharedRandomValue: srv, directory: directory,
                                                clientAuthKey: clientAuthKey, askEveryDirectory: forceFetch)
        switch fetched {
        case let .found(best):
            descriptors[address] = CachedDescriptor(content: best.content, period: period, expires: best.expires)
            store?.save(best.text, for: address, period: period, revision: best.revision, expires: best.expires)
            return (best.content, keys)
        case let .failed(failures):
            throw OnionServiceError.network("no directory gave a usable descriptor: \(failures.joined(separator: "; "))")
        case let .notFound(asked):
            // Not published for this period yet. Early in a period (until the next SRV) a service
            // still serves the previous period's descriptor for clients with an older consensus;
            // a device that publishes late after a rotation (Minitor) is reachable through it.
            guard tryPreviousPeriod, let earlier = HSDirRing.previousPeriodForFetching(
                validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
                previous: consensus.sharedRandPrevious?.value, period: period),
                  let earlierKeys = try? BlindedKeys(address: address, period: earlier.period) else {
                throw OnionServiceError.descriptorNotFound(onion: address.description, triedDirectories: asked)
            }
            report(.descriptor, "no descriptor for \(period) yet (the device may publish late after the rotation); "
                   + "trying the previous period's")
            // One fetched in the previous period and still held (not refetched after failed
            // introductions) is used as it is.
            if !forceFetch, let held = descriptors[address], held.period == earlier.period, held.expires > Date(),
               !IntroductionProofOfWork.hasExpiredParameters(held.content, now: Date()) {
                report(.descriptor, "using the descriptor of the previous \(earlier.period), held since then")
                return (held.content, earlierKeys)
            }
            let previous = try await askResponsibleHSDirs(address, keys: earlierKeys, sharedRandomValue: earlier.sharedRandomValue,
                                                     directory: directory, clientAuthKey: clientAuthKey,
                                                     askEveryDirectory: forceFetch)
            guard case let .found(best) = previous else {
                // The current period's directories said "not found"; that stays the answer.
                throw OnionServiceError.descriptorNotFound(onion: address.description, triedDirectories: asked)
            }
            // Used for this connection only (not cached, not kept on disk): the next circuit
            // asks for the current period's descriptor first again.
            report(.descriptor, "using the descriptor of the previous \(earlier.period)")
            return (best.content, earlierKeys)
        }
    }

    /// A descriptor as one HSDir served it, decrypted.
    struct FetchedDescriptor {
        var content: HSDescriptorContent
        var revision: UInt64
        var expires: Date
        var text: [UInt8]
    }

    /// What asking the responsible HSDirs for one period's descriptor gave.
    enum FetchOutcome {
        /// The highest revision any of them served.
        case found(FetchedDescriptor)
        /// Most directories reached answered 404 (`asked`: how many are responsible).
        case notFound(asked: Int)
        /// No directory gave a usable answer; why, per directory.
        case failed([String])
    }

    /// Asks the HSDirs responsible for `keys` (their period, under `sharedRandomValue`) for the
    /// descriptor. A first fetch takes the first good answer (as C tor does); with
    /// `askEveryDirectory` (a refetch after failed introductions) every directory is asked, since
    /// one that missed the service's latest upload (e.g. it was down) still serves the stale
    /// descriptor, and the highest revision wins.
    private func askResponsibleHSDirs(_ address: OnionAddress, keys: BlindedKeys, sharedRandomValue: [UInt8],
                                 directory: NetDirectory, clientAuthKey: X25519PrivateKey?,
                                 askEveryDirectory: Bool) async throws -> FetchOutcome {
        let consensus = directory.consensus
        guard let period = keys.period else { throw OnionServiceError.network("descriptor keys without a time period") }
        let candidates = directory.relays.enumerated().compactMap { index, relay -> HSDirCandidate? in
            guard relay.flags.contains(.hsDir), PathRules.may(relay, serveAs: .onionServiceEndpoint),
                  relay.status.protocols.supports("HSDir", 2),
                  let ed = relay.ed25519Identity else { return nil }
            return HSDirCandidate(ed25519Identity: ed, index: index)
        }
        let ring = HSDirRing(candidates: candidates, sharedRandomValue: sharedRandomValue, period: period)
        let responsible = ring.responsibleHSDirs(blindedPublicKey: keys.blindedPublicKey,
                                                 replicas: Int(consensus.params.hsdirNReplicas),
                                                 spread: Int(consensus.params.hsdirSpreadFetch)).shuffled()
        guard !responsible.isEmpty else { throw OnionServiceError.network("the consensus lists no HSDir relays") }
        let stagger = Self.hsdirStagger(learnedCircuitBuildTimeout: await network.learnedCircuitBuildTimeout())
        let hsdirs = responsible.map { directory.relays[$0.index] }
        let (network, stepTimeout, onion) = (network, stepTimeout, address.description)
        let answers = await StaggeredAttempts.run(hsdirs, stagger: .seconds(stagger), maxInFlight: Self.hsdirAttemptsInFlight,
                                                  attempt: { hsdir in
            await Self.fetchDescriptor(from: hsdir, network: network, keys: keys, clientAuthKey: clientAuthKey,
                                       stepTimeout: stepTimeout, onion: onion)
        }, isFinal: { answer in
            switch answer {
            case .descriptor: return !askEveryDirectory
            case .clientAuthorizationRequired, .clientAuthorizationRejected: return true
            case .notFound, .failed: return false
            }
        })
        var notFound = 0
        var failures = [String]()
        var best: FetchedDescriptor?
        for answer in answers {
            switch answer {
            case let .descriptor(content, revision, expires, text):
                if let best, best.revision >= revision { continue }
                best = FetchedDescriptor(content: content, revision: revision, expires: expires, text: text)
            case .clientAuthorizationRequired:
                throw OnionServiceError.clientAuthorizationRequired(onion: onion)
            case .clientAuthorizationRejected:
                throw OnionServiceError.clientAuthorizationRejected(onion: onion)
            case .notFound:
                notFound += 1
            case let .failed(hsdir, detail):
                failures.append("\(hsdir): \(detail)")
            }
        }
        if let best { return .found(best) }
        // Most directories we reached answered 404: the service is not published (offline?).
        if notFound > 0 && notFound >= failures.count { return .notFound(asked: responsible.count) }
        return .failed(failures)
    }

    /// `address`'s descriptor for `period` kept by an earlier process, verified and decrypted again
    /// as a fetched one is; nil (and the file removed) if there is none or it fails a check.
    private func storedDescriptor(_ address: OnionAddress, keys: BlindedKeys, period: TimePeriod,
                                  clientAuthKey: X25519PrivateKey?,
                                  report: @Sendable (ConnectionPhase, String) -> Void) -> HSDescriptorContent? {
        let now = Date()
        guard let store, let kept = store.load(address, period: period, now: now) else { return nil }
        do {
            let (_, content) = try Self.open(kept.text, keys: keys, clientAuthKey: clientAuthKey, now: now)
            let cached = CachedDescriptor(content: content, period: period, expires: kept.expires)
            // The same test as for one held in memory (here: a proof-of-work seed that has expired).
            guard cached.isUsable(in: period, now: now) else {
                store.remove(address)
                return nil
            }
            descriptors[address] = cached
            report(.descriptor, "using the descriptor kept from an earlier run")
            return content
        } catch {
            store.remove(address)
            report(.descriptor, "the kept descriptor is unusable (\(error)); fetching it again")
            return nil
        }
    }

    /// What one HSDir gave.
    enum HSDirAnswer: Sendable {
        case descriptor(HSDescriptorContent, revision: UInt64, expires: Date, text: [UInt8])
        case notFound
        case failed(hsdir: String, detail: String)
        case clientAuthorizationRequired
        case clientAuthorizationRejected
    }

    /// How many HSDirs are asked at once, at most.
    static let hsdirAttemptsInFlight = 2

    /// How long an HSDir fetch may go unanswered before the next HSDir is asked too, in seconds:
    /// twice the learned circuit build timeout (the timeout is the 80th percentile of building
    /// three hops; a fetch builds four and makes two round trips, BEGIN_DIR and the request), at
    /// least 1 s and at most 10 s; 10 s until a timeout is learned (C tor's initial 60 s is
    /// far too long a wait for a second try).
    static func hsdirStagger(learnedCircuitBuildTimeout: TimeInterval?) -> Double {
        guard let learned = learnedCircuitBuildTimeout else { return 10 }
        return min(max(2 * learned, 1), 10)
    }

    /// Fetches and decrypts the descriptor from one HSDir over a new onion-service circuit.
    private static func fetchDescriptor(from hsdir: Relay, network: any OnionServiceNetwork, keys: BlindedKeys,
                                        clientAuthKey: X25519PrivateKey?, stepTimeout: TimeInterval, onion: String) async -> HSDirAnswer {
        let text: [UInt8]
        do {
            let circuit = try await network.buildCircuit(hops: hsdirHops, endingAt: hsdir.extendTarget)
            defer { circuit.destroy() }
            let stream = try await circuit.openStream(.beginDir, timeout: stepTimeout)
            defer { stream.close() }
            let path = "/tor/hs/3/\(keys.descriptorID)"
            try await stream.write(DirectoryURLs.httpRequest(path: path, host: hsdir.status.address, acceptEncoding: nil))
            let raw = try await withTimeout(stepTimeout, error: OnionServiceError.timedOut(onion: onion, phase: .descriptor)) {
                try await stream.readToEnd(limit: 100_000)
            }
            let (status, body) = try splitHTTP(raw)
            if status == 404 { return .notFound }
            guard status == 200 else { return .failed(hsdir: hsdir.nickname, detail: "HTTP \(status)") }
            text = body
        } catch {
            return .failed(hsdir: hsdir.nickname, detail: "\(error)")
        }
        do {
            let (outer, content) = try open(text, keys: keys, clientAuthKey: clientAuthKey, now: Date())
            let lifetime = Date().addingTimeInterval(TimeInterval(outer.lifetimeMinutes) * 60)
            return .descriptor(content, revision: outer.revisionCounter, expires: min(lifetime, outer.expiration), text: text)
        } catch .clientAuthorizationRequired {
            return .clientAuthorizationRequired
        } catch .clientAuthorizationRejected {
            return .clientAuthorizationRejected
        } catch {
            return .failed(hsdir: hsdir.nickname, detail: "\(error)")
        }
    }

    /// Verifies a descriptor's text against the period's blinded key and decrypts both layers:
    /// the same for one just fetched and one read back from the store.
    static func open(_ text: [UInt8], keys: BlindedKeys, clientAuthKey: X25519PrivateKey?,
                     now: Date) throws(HSDescriptorError) -> (HSDescriptor, HSDescriptorContent) {
        let outer = try HSDescriptor(text, blindedPublicKey: keys.blindedPublicKey, now: now)
        return (outer, try outer.decrypt(subcredential: keys.subcredential, clientAuthKey: clientAuthKey))
    }

    static func splitHTTP(_ raw: [UInt8]) throws -> (Int, [UInt8]) {
        guard let end = raw.firstRange(of: [13, 10, 13, 10]) else {
            throw OnionServiceError.network("HSDir answer has no HTTP header end")
        }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw OnionServiceError.network("HSDir answer has a bad status line")
        }
        return (status, Array(raw[end.upperBound...]))
    }

    // MARK: Introduction and rendezvous

    /// Introduces the client through the descriptor's introduction points, one after another, and
    /// completes the rendezvous. With `staleOnFirstRefusal`, the first "service not recognized"
    /// ends the attempt with ``StaleDescriptorSuspected`` (the caller fetches a fresh descriptor)
    /// rather than trying the other points: after a service restarts, its old points answer "not
    /// recognized", and some were seen to ACK with success and never be answered (their circuits
    /// outlived the old service at the relays), which costs a wait per point.
    private func introduceAndRendezvous(_ address: OnionAddress, descriptor: HSDescriptorContent, keys: BlindedKeys,
                                        directory: NetDirectory, rendezvousPoint pending: PendingRendezvous,
                                        staleOnFirstRefusal: Bool,
                                        report: @Sendable (ConnectionPhase, String) -> Void) async throws -> Circuit {
        let onion = address.description
        guard !descriptor.introductionPoints.isEmpty else {
            pending.discard()
            throw OnionServiceError.introductionFailed(onion: onion, detail: "the descriptor lists no introduction points")
        }
        // The service chose its introduction points; one the consensus marks MiddleOnly is not used.
        let introductionPoints = descriptor.introductionPoints.filter { !Self.isMiddleOnly($0, in: directory) }.shuffled()
        guard !introductionPoints.isEmpty else {
            pending.discard()
            throw OnionServiceError.introductionFailed(
                onion: onion, detail: "every introduction point is a relay the consensus marks MiddleOnly")
        }
        let congestionControl = requestCongestionControl
            ? RendezvousCongestionControl.offer(descriptor: descriptor, consensus: directory.consensus.params) : nil
        // The first introduction circuit is built while the rendezvous point is still being set up
        // (only the INTRODUCE1 cell needs it).
        var firstIntroduction: Task<Circuit, any Error>?
        if let target = Self.introductionTarget(introductionPoints[0]) {
            let network = self.network
            firstIntroduction = Task { try await network.buildCircuit(hops: Self.introductionHops, endingAt: target) }
        }
        defer {
            if let firstIntroduction { Task { (try? await firstIntroduction.value)?.destroy() } }
        }
        report(.rendezvous, "establishing a rendezvous point")
        var rend: Circuit, rendezvousPoint: Relay
        do { (rend, rendezvousPoint) = try await pending.established() } catch let failure as RendezvousPointFailure {
            throw OnionServiceError.rendezvousFailed(onion: onion, detail: failure.detail)
        } catch {
            pending.discard()
            throw error
        }
        var cookie = pending.cookie
        // A second rendezvous point, set up while we wait for the service to join the first: a
        // service that ignored an introduction (Minitor drops one that comes within about 5 s of the
        // previous) may also have remembered its cookie, and C tor drops a repeated cookie as a
        // replay, so every re-introduction goes with a fresh rendezvous point and cookie.
        var spare: PendingRendezvous?
        defer { spare?.discard() }
        var failures = [String]()
        var notRecognized = 0
        // Introductions accepted by the point that the service then never answered.
        var ignored = 0
        // Every handshake whose INTRODUCE1 the service may have received: RENDEZVOUS2 answers one of them.
        var introduced = [HsNtorClient]()
        let patience = rendezvousWait.bound(ceiling: stepTimeout)
        for (index, introPoint) in introductionPoints.enumerated() {
            report(.introduction, "introducing through \(index + 1) of \(descriptor.introductionPoints.count)")
            guard let target = Self.introductionTarget(introPoint) else {
                failures.append("an introduction point without an RSA identity")
                continue
            }
            var extensions: [HsNtorClient.Extension] = []
            if let pow = try await proofOfWork.extensionForIntroduction(
                descriptor: descriptor, blindedPublicKey: keys.blindedPublicKey,
                unanswered: unansweredIntroductions[address, default: 0], report: report) {
                extensions.append(pow)
            }
            let handshake: HsNtorClient
            let body: [UInt8]
            do {
                handshake = try HsNtorClient(introductionPoint: introPoint, subcredential: keys.subcredential)
                body = try handshake.introduce1Body(rendezvousCookie: cookie, rendezvousOnionKey: rendezvousPoint.microdescriptor.ntorOnionKey,
                                                    rendezvousLinkSpecifiers: rendezvousPoint.extendTarget.linkSpecifiers,
                                                    extensions: (congestionControl?.introduce1Extensions ?? []) + extensions)
            } catch {
                failures.append("\(error)")
                continue
            }
            do {
                let intro: Circuit
                if index == 0, let prebuilt = firstIntroduction {
                    firstIntroduction = nil
                    intro = try await prebuilt.value
                } else {
                    intro = try await network.buildCircuit(hops: Self.introductionHops, endingAt: target)
                }
                defer { intro.destroy() }
                try intro.send(RelayMessage(command: .introduce1, data: body), toHop: intro.hopCount - 1,
                               expecting: [.introduceAck])
                let (_, ackMessage) = try await intro.nextMessage(timeout: stepTimeout, what: "waiting for INTRODUCE_ACK")
                let ack = try IntroduceAck(body: ackMessage.data)
                guard ack.status == .success else {
                    if ack.status == .serviceNotRecognized {
                        notRecognized += 1
                        if staleOnFirstRefusal {
                            rend.destroy()
                            throw StaleDescriptorSuspected()
                        }
                    }
                    failures.append("introduction point refused: \(ack.status)")
                    continue
                }
            } catch let stale as StaleDescriptorSuspected {
                throw stale
            } catch {
                failures.append("\(error)")
                continue
            }
            introduced.append(handshake)
            // A service may drop an introduction it was given: wait a bounded time, then introduce
            // through the next point with a fresh rendezvous point. The last point gets the full step
            // time, unless an earlier point said the service is not there (a stale descriptor).
            let isLast = index == introductionPoints.count - 1
            let wait = isLast && notRecognized == 0 ? stepTimeout : patience
            if !isLast && spare == nil {
                spare = PendingRendezvous(network: network, directory: directory, stepTimeout: stepTimeout)
            }
            report(.rendezvous, "waiting for the service to join the rendezvous")
            let ackedAt = Date()
            do {
                let (_, joined) = try await rend.nextMessage(timeout: wait, what: "waiting for RENDEZVOUS2")
                rendezvousWait.record(Date().timeIntervalSince(ackedAt))
                unansweredIntroductions[address] = nil
                let result = try Self.complete(joined.data, with: introduced)
                try rend.appendHop(name: onion, keys: result.hopKeys)
                try congestionControl?.enable(on: rend)
                return rend
            } catch CircuitError.timedOut {
                failures.append("the service did not join the rendezvous within \(Int(wait.rounded())) s")
                ignored += 1
                unansweredIntroductions[address, default: 0] += 1
                if isLast { continue }
                report(.introduction, "no answer after \(Int(wait.rounded())) s; trying another introduction point")
                if let next = spare {
                    spare = nil
                    do {
                        let (fresh, freshPoint) = try await next.established()
                        rend.destroy()
                        (rend, rendezvousPoint, cookie) = (fresh, freshPoint, next.cookie)
                        introduced.removeAll()
                    } catch let failure as RendezvousPointFailure {
                        failures.append("no second rendezvous point: \(failure.detail)")
                    } catch {
                        rend.destroy()
                        throw error
                    }
                }
                continue
            } catch let error as OnionServiceError {
                rend.destroy()
                throw error
            } catch {
                rend.destroy()
                throw OnionServiceError.rendezvousFailed(onion: onion, detail: "\(error)")
            }
        }
        rend.destroy()
        // "Not recognized" means the service's introduction circuits are gone; points that accepted
        // and were then ignored have not noticed yet (a stopped device). Together: offline.
        if notRecognized > 0 && (notRecognized * 2 >= descriptor.introductionPoints.count
                                 || notRecognized + ignored == descriptor.introductionPoints.count) {
            throw OnionServiceError.serviceOffline(onion: onion)
        }
        if ignored > 0 {
            throw ServiceDidNotJoin(error: .rendezvousFailed(onion: onion, detail: failures.joined(separator: "; ")))
        }
        throw OnionServiceError.introductionFailed(onion: onion, detail: failures.joined(separator: "; "))
    }

    /// Completes the rendezvous with whichever introduction the service answered (the RENDEZVOUS2
    /// MAC proves which); none matching means the point or service sent a forged answer.
    private static func complete(_ rendezvous2: [UInt8], with introduced: [HsNtorClient]) throws -> HsNtorClient.Result {
        var lastError: (any Error)?
        for handshake in introduced.reversed() {
            do { return try handshake.complete(rendezvous2: rendezvous2) } catch { lastError = error }
        }
        throw lastError ?? OnionServiceError.network("RENDEZVOUS2 with no introduction pending")
    }

    /// Whether the consensus lists `point`'s relay with the MiddleOnly flag.
    static func isMiddleOnly(_ point: IntroductionPoint, in directory: NetDirectory) -> Bool {
        point.linkSpecifiers.contains { spec in
            if case let .legacyID(id) = spec, let relay = directory.relay(rsaIdentity: id) {
                return !PathRules.may(relay, serveAs: .onionServiceEndpoint)
            }
            return false
        }
    }

    /// Where to extend for an introduction point (nil if it lacks the RSA identity EXTEND2 needs).
    private static func introductionTarget(_ point: IntroductionPoint) -> ExtendTarget? {
        guard let legacy = point.linkSpecifiers.compactMap({ spec -> [UInt8]? in
            if case let .legacyID(id) = spec { return id } else { return nil }
        }).first else { return nil }
        return ExtendTarget(nickname: "intro point \(hexString(legacy).prefix(8))", linkSpecifiers: point.linkSpecifiers,
                            rsaIdentity: legacy, ntorOnionKey: point.onionKey)
    }

    private func mapped(_ error: any Error, _ address: OnionAddress) -> any Error {
        if error is OnionServiceError { return error }
        return OnionServiceError.network("\(error)")
    }
}

/// Introduction points accepted our INTRODUCE1 but the service never joined the rendezvous.
private struct ServiceDidNotJoin: Error {
    var error: OnionServiceError
}

/// An introduction point answered "service not recognized": the descriptor in use is likely stale.
private struct StaleDescriptorSuspected: Error {}
