import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import OnionctlUI
import TorCircuits
import TorClient

/// The dashboard's live backend: the address book and its devices, reached through the embedded
/// Tor client. It polls each device gently (code-me-not leaks heap on every `GET /links`), marks
/// changes pending until the device's answer confirms them, and publishes immutable snapshots; the
/// ncurses thread only ever renders the latest one, so the UI never waits on the network.
public actor LiveDashboardBackend: DashboardBackend {
    /// How often a device is read when nothing happens.
    static let thermostatInterval: TimeInterval = 15
    static let pinsInterval: TimeInterval = 60
    static let httpInterval: TimeInterval = 60
    static let historyInterval: TimeInterval = 60
    /// After a failed read the device is tried again in about this long (± ``retryJitter``), for as
    /// long as the dashboard runs: a device that is offline, or whose descriptor is published late
    /// (after a time-period rotation Minitor publishes minutes late), is never left alone for
    /// long, unlike C tor's 15 minutes without asking an HSDir again. Jittered so that devices
    /// that failed together (a relay fault) are not retried in one burst.
    static let retryInterval: TimeInterval = 20
    static let retryJitter: ClosedRange<Double> = 0.75...1.25

    /// The wait before a failed device is read again: ``retryInterval`` times a random factor in
    /// ``retryJitter`` (15–25 s).
    static func retryDelay<G: RandomNumberGenerator>(using generator: inout G) -> TimeInterval {
        retryInterval * Double.random(in: retryJitter, using: &generator)
    }
    static let logLimit = 300

    private let store: AddressBookStore
    private let tor: TorClient
    private let limits: DeviceLimits
    private let networkName: String
    private var service: DeviceService?
    private var entries: [DeviceEntry] = []
    private var snapshot = DashboardSnapshot()
    private var subscribers: [UUID: AsyncStream<DashboardSnapshot>.Continuation] = [:]
    private var nextRead: [String: Date] = [:]
    /// Devices whose key file (or the key folder) is unprotected or unreadable: not polled until fixed.
    private var keyRefusals: [String: AddressBookError] = [:]
    private var nextHistory: [String: Date] = [:]
    private var reading: Set<String> = []
    /// The read in flight per device, and a counter so a replaced read leaves no trace.
    private var readTasks: [String: Task<Void, Never>] = [:]
    private var readGeneration: [String: Int] = [:]
    private var loop: Task<Void, Never>?
    private var bootstrapTask: Task<Void, Never>?
    /// Whether the first bootstrap has ended (devices are polled from then on).
    private var bootstrapFinished = false
    /// Per device: polls answered and the reasons of the others (counts only; read by the soak driver).
    public private(set) var readTallies: [String: ReadTally] = [:]
    private var nextDirectoryCheck = Date.distantPast
    /// The address book file's modification date and size when last read (changes are re-read).
    private var bookStamp: (Date?, Int?) = (nil, nil)
    /// How often the directory is checked for freshness (a fresh one costs nothing to check).
    static let directoryCheckInterval: TimeInterval = 30
    /// Where the SOCKS proxy started with the dashboard listens (`--proxy`); nil: no proxy.
    private let proxyListen: ListenAddress?
    private var proxy: SOCKSServer?
    private var proxyTasks: [Task<Void, Never>] = []
    /// How often the proxy's stream counts are read into the snapshot.
    static let proxyRefreshInterval: Duration = .milliseconds(250)

    /// The backend without a SOCKS proxy (headless drivers such as `onionctl-soak`).
    public init(store: AddressBookStore, configuration: TorClientConfiguration) {
        self.init(store: store, configuration: configuration, limits: DeviceLimits(), proxyListen: nil)
    }

    init(store: AddressBookStore, configuration: TorClientConfiguration, limits: DeviceLimits = DeviceLimits(),
         proxyListen: ListenAddress? = nil) {
        self.store = store
        self.proxyListen = proxyListen
        self.tor = TorClient(configuration: configuration)
        self.limits = limits
        let authorities = configuration.network.v3Authorities.count
        networkName = configuration.network.testingTorNetwork
            ? "private network (\(authorities) authorities)" : "Tor network (\(authorities) authorities)"
    }

    /// Loads the address book, starts bootstrapping and polling.
    public func start() async {
        snapshot.tor.network = networkName
        await readAddressBook()
        log(.info, "onionctl dashboard started on the \(networkName)")
        startProxy()
        // Directory sources that fail are retried for minutes: say so in the log as it happens.
        await tor.directory.setProgressHandler { [weak self] message in
            Task { await self?.log(.warning, message) }
        }
        // The bootstrap may retry for minutes; the address book is still re-read meanwhile, and
        // devices are polled once it has finished (successfully or not).
        bootstrapTask = Task { [weak self] in await self?.bootstrap() }
        loop = Task { [weak self] in
            while !Task.isCancelled {
                await self?.reloadIfAddressBookChanged()
                if await self?.bootstrapFinished == true { await self?.pollDueDevices() }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    public func stop() async {
        loop?.cancel()
        bootstrapTask?.cancel()
        proxy?.stop()
        for task in proxyTasks { task.cancel() }
        for task in proxyTasks { await task.value }
        await service?.close()
        await tor.shutdown()
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    // MARK: Proxy

    /// Starts the SOCKS proxy on the dashboard's own Tor client (whose client-authorization keys
    /// are the address book's). A port that cannot be bound is shown, not fatal.
    private func startProxy() {
        guard let address = proxyListen else { return }
        snapshot.proxy = ProxyStatus(listen: address.description)
        let server = SOCKSServer(listen: address, client: tor, settings: SOCKSSettings(), log: { [weak self] line in
            Task { await self?.log(.debug, "proxy: \(line)") }
        })
        do {
            var bound = address
            bound.port = try server.bind()
            snapshot.proxy?.listen = bound.description
            proxy = server
            proxyTasks.append(Task.detached { await server.run() })
            proxyTasks.append(Task { [weak self] in
                while !Task.isCancelled {
                    await self?.refreshProxy()
                    try? await Task.sleep(for: Self.proxyRefreshInterval)
                }
            })
            log(.info, "SOCKS proxy listening on \(bound)")
        } catch {
            snapshot.proxy?.problem = (error as? ProxyListenError)?.reason ?? "\(error)"
            log(.error, "SOCKS proxy not started: \(error)")
        }
    }

    /// Reads the proxy's stream counts into the snapshot (published only when they changed).
    private func refreshProxy() {
        guard let proxy, var status = snapshot.proxy else { return }
        status.openStreams = proxy.openStreams
        status.totalStreams = proxy.totalStreams
        guard status != snapshot.proxy else { return }
        snapshot.proxy = status
        publish()
    }

    // MARK: Snapshots

    public nonisolated func snapshots() -> AsyncStream<DashboardSnapshot> {
        let (stream, continuation) = AsyncStream<DashboardSnapshot>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        Task { await self.subscribe(id, continuation) }
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func subscribe(_ id: UUID, _ continuation: AsyncStream<DashboardSnapshot>.Continuation) {
        subscribers[id] = continuation
        continuation.yield(snapshot)
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    private func publish() {
        for continuation in subscribers.values { continuation.yield(snapshot) }
    }

    private func log(_ level: LogLine.Level, _ message: String) {
        snapshot.log.append(LogLine(time: Date(), level: level, message: message))
        if snapshot.log.count > Self.logLimit { snapshot.log.removeFirst(snapshot.log.count - Self.logLimit) }
        publish()
    }

    private func update(_ name: String, _ change: (inout DeviceSnapshot) -> Void) {
        guard let index = snapshot.devices.firstIndex(where: { $0.name == name }) else { return }
        change(&snapshot.devices[index])
        publish()
    }

    // MARK: Address book

    private func readAddressBook() async {
        bookStamp = currentBookStamp()
        do {
            let book = try store.load()
            var keys: [String: ClientAuthKey] = [:]
            for entry in book.devices {
                do {
                    if let key = try store.key(for: entry) { keys[entry.name] = key }
                    keyRefusals[entry.name] = nil
                } catch {
                    // The device is not contacted with a missing key: its key problem is shown instead.
                    keyRefusals[entry.name] = error
                    log(.error, "\(entry.name): \(error)")
                }
            }
            await service?.close()
            let service = await DeviceService(devices: book.devices, keys: keys, tor: tor, limits: limits)
            await service.addProgressHandler { [weak self] event in
                Task { await self?.progress(event) }
            }
            self.service = service
            entries = book.devices
            let previous = Dictionary(snapshot.devices.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            snapshot.devices = book.devices.map { entry in
                var device = previous[entry.name] ?? DeviceSnapshot(name: entry.name, kind: Self.kind(entry.kind), onion: entry.address.description)
                if let refusal = keyRefusals[entry.name] {
                    device.problem = Self.problem(for: refusal)
                    device.connection.state = .failed(nil)
                }
                return device
            }
            snapshot.addressBookProblem = nil
            publish()
        } catch {
            let problem = Self.addressBookProblem(error)
            if snapshot.addressBookProblem != problem { log(.error, "\(error)") }
            snapshot.addressBookProblem = problem
            publish()
        }
    }

    /// An unusable address book in words for the device screen: the file, line and reason (the
    /// error's own sentence) and what to do. The file is never changed by onionctl.
    static func addressBookProblem(_ error: any Error) -> DeviceProblem {
        DeviceProblem(message: "The address book cannot be read: \(error)",
                      advice: "onionctl keeps the file untouched and changes nothing until it is fixed: correct it in an editor "
                          + "(or move it away), then press r. Devices it lists are not contacted meanwhile.")
    }

    /// Re-reads the address book when its file changed (another `onionctl add`, an editor).
    private func reloadIfAddressBookChanged() async {
        let stamp = currentBookStamp()
        guard stamp.0 != bookStamp.0 || stamp.1 != bookStamp.1 else { return }
        await readAddressBook()
    }

    private func currentBookStamp() -> (Date?, Int?) {
        var info = stat()
        guard stat(store.bookFile.path, &info) == 0 else { return (nil, nil) }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        return (modified, Int(info.st_size))
    }

    public func reloadAddressBook() async throws {
        await readAddressBook()
        if let problem = snapshot.addressBookProblem { throw DashboardError(problem.message) }
    }

    static func kind(_ kind: Devices.DeviceKind) -> OnionctlUI.DeviceKind {
        OnionctlUI.DeviceKind(rawValue: kind.rawValue) ?? .http
    }

    // MARK: Tor

    private func bootstrap() async {
        defer { bootstrapFinished = true }
        do {
            let report = try await tor.bootstrap()
            snapshot.tor.bootstrapped = true
            snapshot.tor.consensusValidAfter = report.validAfter
            snapshot.tor.consensusValidUntil = report.validUntil
            snapshot.tor.relayCount = report.relaysInConsensus
            snapshot.tor.problem = nil
            for warning in report.warnings { log(.warning, warning) }
            log(.info, "directory ready: \(report.usableRelays) relays, signed by \(report.signedBy.joined(separator: ", "))")
            await refreshTorStatus()
        } catch {
            snapshot.tor.problem = DeviceProblem(message: "Tor could not bootstrap: \(error)",
                                                 advice: "Check the network file (--network) and that the network is reachable.")
            log(.error, "bootstrap failed: \(error)")
        }
    }

    private func refreshTorStatus() async {
        if snapshot.tor.bootstrapped && Date() >= nextDirectoryCheck {
            nextDirectoryCheck = Date().addingTimeInterval(Self.directoryCheckInterval)
            do { _ = try await tor.netDirectory() } catch { log(.warning, "directory refresh failed: \(error)") }
        }
        if let report = await tor.directory.report {
            snapshot.tor.consensusValidAfter = report.validAfter
            snapshot.tor.consensusValidUntil = report.validUntil
            snapshot.tor.relayCount = report.relaysInConsensus
        }
        let guards = await tor.guards.status()
        snapshot.tor.guards = guards.filter(\.isPrimary).map { entry in
            GuardSummary(nickname: entry.nickname, address: String(entry.rsaIdentity.prefix(8)).uppercased(),
                         usable: entry.reachable != .no, confirmed: entry.isConfirmed)
        }
        snapshot.tor.sampledGuards = guards.count
        snapshot.tor.vanguards = await tor.vanguards.entries.map { VanguardSummary(nickname: $0.nickname, expires: $0.expiresAt) }
        snapshot.tor.circuitBuildTimeout = CircuitTimeoutReport(tor.builder.timeouts.status).summary
        var circuits = [CircuitSummary]()
        for entry in entries {
            if let circuit = await tor.openCircuit(to: entry.address) {
                circuits.append(CircuitSummary(id: circuit.id, purpose: "rendezvous \(entry.name)",
                                               hops: circuit.hopNames.map { String($0.split(separator: "~").first ?? "") }))
            }
        }
        snapshot.tor.circuits = circuits
        publish()
    }

    private func progress(_ event: DeviceProgress) {
        update(event.device) { device in
            device.connection = DeviceConnection(state: event.phase == .connected ? .connected : .connecting(event.phase),
                                                 elapsed: event.elapsed, detail: event.detail,
                                                 startedAt: Date().addingTimeInterval(-event.elapsed))
        }
        // A new circuit is worth a log line; a request over the open one ("connected in 0.0 s") is not.
        if event.phase == .connected && event.elapsed >= 0.05 {
            log(.info, "\(event.device): connected in \(event.elapsed.fixed(1)) s")
        }
    }

    // MARK: Polling

    private func pollDueDevices() async {
        let now = Date()
        for entry in entries where !reading.contains(entry.name) && keyRefusals[entry.name] == nil
            && (nextRead[entry.name] ?? .distantPast) <= now {
            startRead(entry)
        }
        await refreshTorStatus()
    }

    /// Starts reading `entry`, replacing a read in flight (`r` acts at once, not after its timeout).
    private func startRead(_ entry: DeviceEntry) {
        readTasks[entry.name]?.cancel()
        readGeneration[entry.name, default: 0] += 1
        let generation = readGeneration[entry.name]!
        reading.insert(entry.name)
        readTasks[entry.name] = Task { await self.read(entry, generation: generation) }
    }

    private func read(_ entry: DeviceEntry, generation: Int) async {
        defer {
            if readGeneration[entry.name] == generation {
                reading.remove(entry.name)
                readTasks[entry.name] = nil
            }
        }
        guard let service else { return }
        let name = entry.name
        do {
            switch entry.kind {
            case .thermostat:
                let value = try await service.thermostat(name)
                var history = snapshot.device(named: name)?.thermostat?.history ?? []
                if (nextHistory[name] ?? .distantPast) <= Date() {
                    history = (try? await service.history(name)).map(Self.samples) ?? history
                    nextHistory[name] = Date().addingTimeInterval(Self.historyInterval)
                }
                let converted = Self.reading(value, history: history)
                update(name) { device in
                    device.thermostat = converted
                    if device.pending.setpoint == converted.setpoint { device.pending.setpoint = nil }
                    if device.pending.mode == converted.mode { device.pending.mode = nil }
                }
                nextRead[name] = Date().addingTimeInterval(Self.thermostatInterval)
            case .pins:
                let links = try await service.pins(name).map(Self.link)
                update(name) { device in
                    device.pins = links
                    for (index, wanted) in device.pending.pins where links.first(where: { $0.index == index })?.isOn == wanted {
                        device.pending.pins[index] = nil
                    }
                }
                nextRead[name] = Date().addingTimeInterval(Self.pinsInterval)
            case .http:
                _ = try await service.request(name, path: "/")
                nextRead[name] = Date().addingTimeInterval(Self.httpInterval)
            }
            update(name) { device in
                device.lastUpdate = Date()
                device.problem = nil
                device.connection.state = .connected
            }
            readTallies[name, default: ReadTally()].answered += 1
        } catch {
            guard readGeneration[name] == generation, !Task.isCancelled else { return }  // replaced by r
            readTallies[name, default: ReadTally()].unanswered[Self.reason(error), default: 0] += 1
            failed(name, error)
            var generator = SystemRandomNumberGenerator()
            nextRead[name] = Date().addingTimeInterval(Self.retryDelay(using: &generator))
        }
    }

    private func failed(_ name: String, _ error: any Error) {
        let problem = Self.problem(for: error)
        let repeated = snapshot.device(named: name)?.problem == problem
        update(name) { device in
            device.problem = problem
            if case let .connecting(phase) = device.connection.state {
                device.connection.state = .failed(phase)
            } else {
                device.connection.state = .failed(nil)
            }
        }
        // Once per new problem (the retry every 20 s is not news), and the name once.
        if !repeated { log(.error, problem.message.hasPrefix("\(name): ") ? problem.message : "\(name): \(problem.message)") }
    }

    /// A failure in plain words, with what to do.
    static func problem(for error: any Error) -> DeviceProblem {
        let kind = (error as? DeviceError)?.kind ?? (error as? OnionServiceError)?.kind ?? (error as? AddressBookError)?.kind ?? ""
        let advice: String
        switch kind {
        case "unprotected-key":
            let fix = (error as? AddressBookError).flatMap { if case let .unprotectedKey(refused) = $0 { refused.fixCommand } else { nil } }
            advice = "The key is not used until only you can read it: run \(fix ?? "chmod 600 FILE"), then press r."
        case "key-file": advice = "Fix or replace the key file (onionctl import FILE), then press r."
        case "client-auth-required": advice = "Import the device's key: onionctl import FILE (press : to run it)."
        case "client-auth-rejected": advice = "The key was refused: ask the device owner to authorize your key (onionctl key new)."
        case _ where (error as? DeviceError)?.deviceNeverAnswered == true || (error as? OnionServiceError)?.deviceNeverAnswered == true:
            advice = "It never answered: it seems offline (not running, or its Tor is down). onionctl retries about every \(Int(retryInterval)) s; press r to retry now."
        case "invalid-value": advice = "The device's limits are shown on its detail screen."
        default: advice = "Press r to retry; see the log view (l) for details."
        }
        return DeviceProblem(message: "\(error)", advice: advice, outcome: outcome(for: error))
    }

    /// A failure's kind in one short word or phrase (the tally key for unanswered polls).
    static func reason(_ error: any Error) -> String {
        if let kind = (error as? DeviceError)?.kind ?? (error as? OnionServiceError)?.kind { return kind }
        return String(describing: type(of: error))
    }

    /// Counts of the client's channels, circuits and streams (read-only; for the soak driver).
    public func resourceCounts() async -> ChannelPoolCounts { await tor.pool.resourceCounts }

    /// The open rendezvous circuit per device, now (for the soak driver's circuit history).
    public func rendezvousCircuits() async -> [String: Circuit] {
        var circuits: [String: Circuit] = [:]
        for entry in entries {
            if let circuit = await tor.openCircuit(to: entry.address) { circuits[entry.name] = circuit }
        }
        return circuits
    }

    /// Devices whose cached rendezvous circuit is open but registered on none of the client's open
    /// channels (such a circuit can send but never hears back). Checked now, not from the snapshot.
    public func unregisteredRendezvousCircuits() async -> [String] {
        var open: [(String, Circuit)] = []
        for entry in entries {
            if let circuit = await tor.openCircuit(to: entry.address) { open.append((entry.name, circuit)) }
        }
        let registered = await tor.pool.registeredCircuitIDs
        return open.filter { $0.1.isOpen && !registered.contains($0.1.id) }
            .map { "\($0.0) (circuit \($0.1.id), \($0.1.hopNames.count) hops)" }
    }

    /// The word `onionctl status` uses for this failure (DeviceService.status decides it the same way).
    static func outcome(for error: any Error) -> String {
        let device = error as? DeviceError
        if device?.deviceNeverAnswered == true || (error as? OnionServiceError)?.deviceNeverAnswered == true { return "offline" }
        let kind = device?.kind ?? (error as? OnionServiceError)?.kind ?? ""
        return kind.hasPrefix("client-auth") ? "unauthorized" : "error"
    }

    // MARK: Conversions

    static func reading(_ value: Devices.ThermostatReading, history: [TemperatureSample]) -> OnionctlUI.ThermostatReading {
        OnionctlUI.ThermostatReading(
            temperature: value.temperature, setpoint: value.setpoint,
            mode: OnionctlUI.ThermostatMode(rawValue: value.mode.rawValue) ?? .off, humidity: value.humidity,
            state: HeatingState(rawValue: value.state) ?? .idle, minimum: value.min, maximum: value.max, step: value.step,
            history: history)
    }

    static func samples(_ history: ThermostatHistory) -> [TemperatureSample] {
        history.samples.compactMap { sample in
            (try? Date.ISO8601FormatStyle().parse(sample.t)).map { TemperatureSample(time: $0, temperature: sample.temperature, setpoint: sample.setpoint) }
        }
    }

    static func link(_ link: Devices.PinLink) -> OnionctlUI.PinLink {
        OnionctlUI.PinLink(name: link.name, index: link.index, type: link.type, pin: link.pin?.num, isOn: link.pin?.on)
    }

    // MARK: Commands

    public func refresh(device: String) async throws {
        await reloadIfAddressBookChanged()  // r also picks up address-book changes made meanwhile
        guard entries.contains(where: { $0.name == device }) else { throw DashboardError("There is no device named \(device).") }
        if keyRefusals[device] != nil {  // the key may have been fixed (chmod) since: just re-read
            if let refusal = keyRefusals[device] { throw DashboardError("\(refusal)") }
        }
        nextRead[device] = .distantPast
        nextHistory[device] = .distantPast
        update(device) { snapshot in
            snapshot.problem = nil
            snapshot.connection = DeviceConnection(state: .connecting(.directory), elapsed: 0, startedAt: Date())
        }
        if let entry = entries.first(where: { $0.name == device }) { startRead(entry) }
    }

    public func adjustSetpoint(device: String, bySteps steps: Int) async throws {
        try requireUsableKey(device)
        guard let current = snapshot.device(named: device), let reading = current.thermostat else {
            throw DashboardError("\(device) has not been read yet; wait for its temperature, then try again.")
        }
        let target = reading.setpoint(from: current.pending.setpoint ?? reading.setpoint, movedBy: steps)
        update(device) { $0.pending.setpoint = target }
        log(.info, "\(device): setpoint → \(target) °C (pending)")
        Task { try? await self.apply(device, ThermostatChange(setpoint: target)) }
    }

    public func cycleMode(device: String) async throws {
        try requireUsableKey(device)
        guard let current = snapshot.device(named: device), let reading = current.thermostat else {
            throw DashboardError("\(device) has not been read yet; wait for its reading, then try again.")
        }
        let target = (current.pending.mode ?? reading.mode).next
        update(device) { $0.pending.mode = target }
        log(.info, "\(device): mode → \(target.rawValue) (pending)")
        Task { try? await self.apply(device, ThermostatChange(mode: Devices.ThermostatMode(rawValue: target.rawValue))) }
    }

    /// A device whose key was refused (unprotected or unreadable) is not sent anything.
    private func requireUsableKey(_ device: String) throws {
        if let refusal = keyRefusals[device] { throw DashboardError("\(refusal)") }
    }

    /// Sends `change` and waits for the device's answer: the confirmed reading, or the error (also
    /// recorded on the device and in the log). A refused value (out of range, off-step) is the
    /// user's to correct, not a connection failure: the device keeps its state.
    @discardableResult
    private func apply(_ device: String, _ change: ThermostatChange) async throws -> OnionctlUI.ThermostatReading {
        guard let service else { throw DashboardError("The Tor client is not ready yet; try again in a moment.") }
        do {
            let confirmed = try await service.change(device, change)
            let history = snapshot.device(named: device)?.thermostat?.history ?? []
            let converted = Self.reading(confirmed, history: history)
            update(device) { snapshot in
                snapshot.thermostat = converted
                snapshot.lastUpdate = Date()
                snapshot.problem = nil
                if snapshot.pending.setpoint == converted.setpoint { snapshot.pending.setpoint = nil }
                if snapshot.pending.mode == converted.mode { snapshot.pending.mode = nil }
            }
            log(.info, "\(device): confirmed setpoint \(converted.setpoint) °C, mode \(converted.mode.rawValue)")
            return converted
        } catch {
            update(device) { snapshot in
                if change.setpoint != nil { snapshot.pending.setpoint = nil }
                if change.mode != nil { snapshot.pending.mode = nil }
            }
            if case .invalidValue = error {
                log(.error, "\(device): not changed: \(error)")
                throw DashboardError("\(device): not changed: \(error)")
            }
            failed(device, error)
            throw DashboardError("\(device): the change was not confirmed: \(error)")
        }
    }

    public func togglePin(device: String, index: Int) async throws {
        try requireUsableKey(device)
        guard let current = snapshot.device(named: device), let link = current.pins?.first(where: { $0.index == index }),
              let isOn = link.isOn, link.isToggleable else {
            throw DashboardError("Link \(index) of \(device) is not a simple pin that can be switched.")
        }
        let wanted = !(current.pending.pins[index] ?? isOn)
        update(device) { $0.pending.pins[index] = wanted }
        log(.info, "\(device): \(link.name) → \(wanted ? "on" : "off") (pending)")
        Task {
            guard let service = self.service else { return }
            do {
                let confirmed = try await service.toggle(device, index: index, on: wanted)
                self.confirmedPin(device, Self.link(confirmed))
            } catch {
                self.update(device) { $0.pending.pins[index] = nil }
                self.failed(device, error)
            }
        }
    }

    private func confirmedPin(_ device: String, _ link: OnionctlUI.PinLink) {
        update(device) { snapshot in
            if let position = snapshot.pins?.firstIndex(where: { $0.index == link.index }) { snapshot.pins?[position] = link }
            if snapshot.pending.pins[link.index] == link.isOn { snapshot.pending.pins[link.index] = nil }
            snapshot.lastUpdate = Date()
            snapshot.problem = nil
        }
        log(.info, "\(device): confirmed \(link.name) \(link.isOn == true ? "on" : "off")")
    }

    public func addDevice(name: String, onion: String, kind: OnionctlUI.DeviceKind) async throws {
        do {
            let entry = DeviceEntry(name: name, address: try OnionAddress(onion),
                                    kind: Devices.DeviceKind(rawValue: kind.rawValue) ?? .http)
            try store.modify { book, _ in try book.add(entry) }
        } catch {
            throw DashboardError("Could not add \(name): \(error)")
        }
        log(.info, "added \(name)")
        await readAddressBook()
    }

    public func removeDevice(name: String) async throws {
        do { try store.modify { book, _ in _ = try book.remove(name) } } catch {
            throw DashboardError("Could not remove \(name): \(error)")
        }
        log(.info, "removed \(name)")
        await readAddressBook()
    }

    public func runCommand(_ line: String) async throws -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "" }
        func need(_ count: Int, _ usage: String) throws {
            if words.count < count { throw DashboardError("usage: \(usage)") }
        }
        switch verb {
        case "refresh", "r":
            try need(2, "refresh NAME")
            try await refresh(device: words[1])
            return "refreshing \(words[1])"
        case "list", "ls":
            return DashboardCommandText.list(snapshot)
        case "status":
            return try DashboardCommandText.status(snapshot, names: Array(words.dropFirst()))
        case "get":
            try need(2, "get NAME")
            guard let device = snapshot.device(named: words[1]) else { throw DashboardError("There is no device named \(words[1]).") }
            return DashboardCommandText.get(device)
        case "set":
            try need(4, "set NAME setpoint VALUE | set NAME mode off|heat|cool|auto")
            let name = words[1]
            guard let device = snapshot.device(named: name) else { throw DashboardError("There is no device named \(name).") }
            guard device.kind == .thermostat else {
                throw DashboardError("\(name) is a \(device.kind.rawValue) device; set changes thermostats.")
            }
            try requireUsableKey(name)
            // Checked here, then sent and awaited: the command line says what the device did.
            switch words[2] {
            case "setpoint":
                let value = try DashboardSetpointCheck.value(words[3], device: name, reading: device.thermostat)
                update(name) { $0.pending.setpoint = value }
                let confirmed = try await apply(name, ThermostatChange(setpoint: value))
                return "\(name): setpoint \(confirmed.setpoint.fixed(1)) °C, confirmed by the device"
            case "mode":
                guard let mode = Devices.ThermostatMode(rawValue: words[3].lowercased()) else {
                    throw DashboardError("\(name): not changed: mode must be off, heat, cool or auto (got '\(words[3])')")
                }
                update(name) { $0.pending.mode = OnionctlUI.ThermostatMode(rawValue: mode.rawValue) }
                let confirmed = try await apply(name, ThermostatChange(mode: mode))
                return "\(name): mode \(confirmed.mode.rawValue), confirmed by the device"
            default:
                throw DashboardError("set understands setpoint and mode")
            }
        case "toggle":
            try need(3, "toggle NAME INDEX")
            guard let index = Int(words[2]) else { throw DashboardError("'\(words[2])' is not a link index") }
            try await togglePin(device: words[1], index: index)
            return "\(words[1]): toggling link \(index)"
        case "add":
            try need(3, "add NAME ONION [thermostat|pins|http]")
            let kind = words.count > 3 ? OnionctlUI.DeviceKind(rawValue: words[3]) ?? .http : .http
            try await addDevice(name: words[1], onion: words[2], kind: kind)
            return "added \(words[1])"
        case "remove":
            try need(2, "remove NAME")
            try await removeDevice(name: words[1])
            return "removed \(words[1])"
        case "help":
            return "commands: list · status [NAME] · get NAME · set NAME setpoint V · set NAME mode M · toggle NAME I · refresh NAME · add NAME ONION [KIND] · remove NAME"
        default:
            let verbs = ["list", "status", "get", "set", "toggle", "refresh", "add", "remove", "help", "quit"]
            let nearest = verbs.min { editDistance($0, verb) < editDistance($1, verb) }
            let hint = nearest.map { editDistance($0, verb) <= 2 ? "; did you mean \($0)?" : "" } ?? ""
            throw DashboardError("unknown command '\(verb)'\(hint.isEmpty ? "." : hint) Commands: \(verbs.joined(separator: ", ")).")
        }
    }
}

/// How one device's polls went: answered, and the others by reason (``LiveDashboardBackend/reason(_:)``).
public struct ReadTally: Sendable, Equatable {
    public var answered = 0
    public var unanswered: [String: Int] = [:]

    public init(answered: Int = 0, unanswered: [String: Int] = [:]) {
        self.answered = answered
        self.unanswered = unanswered
    }
}
