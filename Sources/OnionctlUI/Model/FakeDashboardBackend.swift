import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A deterministic, in-memory ``DashboardBackend`` for tests, snapshots and `onionctl-ui-demo`.
///
/// Not connected to anything: it starts from ``sampleSnapshot(now:)`` (or a snapshot you give),
/// records every command in ``actions``, marks changes pending and confirms them after
/// `confirmDelay` (or when ``confirmPending()`` is called, if `confirmDelay` is nil).
public final class FakeDashboardBackend: DashboardBackend {
    private struct State {
        var snapshot: DashboardSnapshot
        var actions: [DashboardAction] = []
        var continuations: [UUID: AsyncStream<DashboardSnapshot>.Continuation] = [:]
    }

    private let state: LockedBox<State>
    private let confirmDelay: Duration?
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - snapshot: the starting state; the sample data by default.
    ///   - confirmDelay: how long "the device" takes to confirm a change; nil: only on
    ///     ``confirmPending()``.
    ///   - now: the clock stamped on updates.
    public init(snapshot: DashboardSnapshot? = nil, confirmDelay: Duration? = nil,
                now: @escaping @Sendable () -> Date = { FakeDashboardBackend.referenceDate }) {
        self.now = now
        self.state = LockedBox(State(snapshot: snapshot ?? Self.sampleSnapshot(now: now())))
        self.confirmDelay = confirmDelay
    }

    /// The fixed instant the sample data is built around (2023-11-14 22:13:20 UTC).
    public static let referenceDate = Date(timeIntervalSince1970: 1_700_000_000)

    /// Every command received so far, in order.
    public var actions: [DashboardAction] { state.withLock { $0.actions } }

    /// The current snapshot.
    public var current: DashboardSnapshot { state.withLock { $0.snapshot } }

    public func snapshots() -> AsyncStream<DashboardSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: DashboardSnapshot.self,
                                                            bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let first = state.withLock { st -> DashboardSnapshot in
            st.continuations[id] = continuation
            return st.snapshot
        }
        continuation.yield(first)
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every snapshot stream (as a backend does when it shuts down).
    public func finish() {
        let all = state.withLock { st -> [AsyncStream<DashboardSnapshot>.Continuation] in
            defer { st.continuations = [:] }
            return Array(st.continuations.values)
        }
        all.forEach { $0.finish() }
    }

    /// Applies every pending change as if the devices had confirmed it.
    public func confirmPending() {
        mutate { snapshot in
            for i in snapshot.devices.indices {
                var device = snapshot.devices[i]
                if let setpoint = device.pending.setpoint { device.thermostat?.setpoint = setpoint }
                if let mode = device.pending.mode { device.thermostat?.mode = mode }
                for (index, on) in device.pending.pins {
                    if let p = device.pins?.firstIndex(where: { $0.index == index }) { device.pins?[p].isOn = on }
                }
                if !device.pending.isEmpty { device.lastUpdate = now() }
                device.pending = PendingChanges()
                snapshot.devices[i] = device
            }
        }
    }

    /// Replaces the snapshot (tests drive connection progress this way).
    public func update(_ body: @Sendable (inout DashboardSnapshot) -> Void) { mutate(body) }

    private func mutate(_ body: (inout DashboardSnapshot) -> Void) {
        let (snapshot, targets) = state.withLock { st -> (DashboardSnapshot, [AsyncStream<DashboardSnapshot>.Continuation]) in
            body(&st.snapshot)
            return (st.snapshot, Array(st.continuations.values))
        }
        targets.forEach { $0.yield(snapshot) }
    }

    private func record(_ action: DashboardAction) { state.withLock { $0.actions.append(action) } }

    private func scheduleConfirmation() {
        guard let delay = confirmDelay else { return }
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            self?.confirmPending()
        }
    }

    private func withDevice(_ name: String, _ body: (inout DeviceSnapshot) throws -> Void) throws {
        var failure: (any Error)?
        mutate { snapshot in
            guard let i = snapshot.devices.firstIndex(where: { $0.name == name }) else {
                failure = DashboardError("There is no device called \(name); press a to add it.")
                return
            }
            do { try body(&snapshot.devices[i]) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    // MARK: DashboardBackend

    public func refresh(device: String) async throws {
        record(.refresh(device: device))
        let t = now()
        try withDevice(device) { $0.lastUpdate = t }
    }

    public func reloadAddressBook() async throws {
        record(.reloadAddressBook)
    }

    public func adjustSetpoint(device: String, bySteps steps: Int) async throws {
        record(.adjustSetpoint(device: device, steps: steps))
        try withDevice(device) { d in
            guard let reading = d.thermostat else {
                throw DashboardError("\(d.name) is not a thermostat (or has not been read yet).")
            }
            d.pending.setpoint = reading.setpoint(from: d.pending.setpoint ?? reading.setpoint, movedBy: steps)
        }
        scheduleConfirmation()
    }

    public func cycleMode(device: String) async throws {
        record(.cycleMode(device: device))
        try withDevice(device) { d in
            guard let reading = d.thermostat else {
                throw DashboardError("\(d.name) is not a thermostat (or has not been read yet).")
            }
            d.pending.mode = (d.pending.mode ?? reading.mode).next
        }
        scheduleConfirmation()
    }

    public func togglePin(device: String, index: Int) async throws {
        record(.togglePin(device: device, index: index))
        try withDevice(device) { d in
            guard let link = d.pins?.first(where: { $0.index == index }), let on = link.isOn else {
                throw DashboardError("Link \(index) of \(d.name) is not a simple pin; only those can be toggled.")
            }
            d.pending.pins[index] = !(d.pending.pins[index] ?? on)
        }
        scheduleConfirmation()
    }

    public func addDevice(name: String, onion: String, kind: DeviceKind) async throws {
        record(.addDevice(name: name, onion: onion, kind: kind))
        var failure: DashboardError?
        mutate { snapshot in
            if snapshot.device(named: name) != nil {
                failure = DashboardError("A device called \(name) already exists; choose another name.")
                return
            }
            snapshot.devices.append(DeviceSnapshot(name: name, kind: kind, onion: onion,
                                                   connection: DeviceConnection(state: .connecting(.directory), elapsed: 0)))
        }
        if let failure { throw failure }
    }

    public func removeDevice(name: String) async throws {
        record(.removeDevice(name: name))
        try withDevice(name) { _ in }
        mutate { $0.devices.removeAll { $0.name == name } }
    }

    public func runCommand(_ line: String) async throws -> String {
        record(.runCommand(line))
        let words = line.split(separator: " ").map(String.init)
        switch words.first {
        case "list":
            return current.devices.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
        case "get" where words.count == 2:
            guard let d = current.device(named: words[1]) else {
                throw DashboardError("There is no device called \(words[1]).")
            }
            if let t = d.thermostat {
                return "\(d.name): \(t.temperature) °C, setpoint \(t.setpoint) °C, \(t.mode.rawValue)"
            }
            return "\(d.name): \(d.pins?.count ?? 0) links"
        case "refresh" where words.count == 2:
            try await refresh(device: words[1])
            return "Refreshing \(words[1])."
        default:
            throw DashboardError("Unknown command “\(line)”. Try list, get NAME, refresh NAME.")
        }
    }

    // MARK: Sample data

    /// The demo household: a heating thermostat, a pins device, a thermostat still connecting and
    /// one that failed. Entirely determined by `now`.
    public static func sampleSnapshot(now: Date) -> DashboardSnapshot {
        var history: [TemperatureSample] = []
        for i in 0..<120 {
            let t = now.addingTimeInterval(Double(i - 119) * 10)
            let x = Double(i)
            let temperature = 18.6 + 1.8 * (x / 119) + 0.25 * sin(x / 7)
            history.append(TemperatureSample(time: t, temperature: (temperature * 100).rounded() / 100,
                                             setpoint: i < 40 ? 19.0 : 21.0))
        }
        let living = DeviceSnapshot(
            name: "living-room", kind: .thermostat,
            onion: "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd.onion",
            connection: DeviceConnection(state: .connected, elapsed: 7.3, detail: "rendezvous via Relay3"),
            thermostat: ThermostatReading(temperature: 20.4, setpoint: 21.0, mode: .heat, humidity: 45.2,
                                          state: .heating, history: history),
            lastUpdate: now.addingTimeInterval(-3))
        let garage = DeviceSnapshot(
            name: "garage", kind: .pins,
            onion: "j4zoalajmpohoho6xxgs2g6r7g5vyv3weooafb2gxwkf5dwglf6o5vqd.onion",
            connection: DeviceConnection(state: .connected, elapsed: 11.9, detail: "rendezvous via Relay1"),
            pins: [PinLink(name: "led", index: 0, pin: 2, isOn: false),
                   PinLink(name: "relay", index: 1, pin: 4, isOn: true),
                   PinLink(name: "sprinkler", index: 2, type: 1)],
            lastUpdate: now.addingTimeInterval(-42))
        let greenhouse = DeviceSnapshot(
            name: "greenhouse", kind: .thermostat,
            onion: "t2cqqpmaami4memqp5v27gc5a2hm75u7cljbyfwkvpeqrywhss333fad.onion",
            connection: DeviceConnection(state: .connecting(.rendezvous), elapsed: 4.2, detail: "waiting for RENDEZVOUS2"))
        let attic = DeviceSnapshot(
            name: "attic", kind: .thermostat,
            onion: "thl3dnypjpkcy7xwjr74p7t6oiol5e5ucdcwpbgo4u5p43c6tpodw5ad.onion",
            connection: DeviceConnection(state: .failed(.introduction), elapsed: 60, detail: "INTRODUCE_ACK timeout"),
            lastUpdate: now.addingTimeInterval(-3 * 3600 - 120),
            problem: DeviceProblem(message: "The device did not answer its introduction within 60 s.",
                                   advice: "It may be offline or unplugged; press r to retry."))
        let tor = TorStatus(
            bootstrapped: true,
            consensusValidAfter: now.addingTimeInterval(-12 * 60),
            consensusValidUntil: now.addingTimeInterval(3 * 3600 - 12 * 60),
            relayCount: 7124,
            guards: [GuardSummary(nickname: "Unnamed3", address: "198.51.100.7:443", confirmed: true),
                     GuardSummary(nickname: "bauruine", address: "203.0.113.21:9001"),
                     GuardSummary(nickname: "ForPrivacy", address: "192.0.2.44:443", usable: false)],
            sampledGuards: 20,
            vanguards: [VanguardSummary(nickname: "Quetzalcoatl", expires: now.addingTimeInterval(4 * 86_400)),
                        VanguardSummary(nickname: "artikel5ev", expires: now.addingTimeInterval(9 * 86_400)),
                        VanguardSummary(nickname: "Nyx", expires: now.addingTimeInterval(26 * 3600)),
                        VanguardSummary(nickname: "Relay7", expires: now.addingTimeInterval(11 * 86_400))],
            circuitBuildTimeout: "1.84 s learned from 100 builds (80 % quantile, Xm 612 ms, alpha 1.47)",
            circuits: [CircuitSummary(id: 0x8000_0001, purpose: "rendezvous living-room",
                                      hops: ["Unnamed3", "Quetzalcoatl", "Relay3"]),
                       CircuitSummary(id: 0x8000_0002, purpose: "rendezvous garage",
                                      hops: ["Unnamed3", "artikel5ev", "Relay1"]),
                       CircuitSummary(id: 0x8000_0003, purpose: "rendezvous greenhouse (pending)",
                                      hops: ["bauruine", "Nyx", "Relay9"]),
                       CircuitSummary(id: 0x8000_0004, purpose: "directory", hops: ["Unnamed3"])],
            network: "Tor network")
        let log: [LogLine] = [
            LogLine(time: now.addingTimeInterval(-95), message: "consensus loaded from cache (7124 relays)"),
            LogLine(time: now.addingTimeInterval(-80), message: "living-room: descriptor fetched from HSDir Relay5"),
            LogLine(time: now.addingTimeInterval(-72), message: "living-room: connected in 7.3 s"),
            LogLine(time: now.addingTimeInterval(-65), message: "garage: connected in 11.9 s"),
            LogLine(time: now.addingTimeInterval(-60), level: .error,
                    message: "attic: introduction timed out after 60 s"),
            LogLine(time: now.addingTimeInterval(-42), message: "garage: 3 links read"),
            LogLine(time: now.addingTimeInterval(-8), level: .warning, message: "guard ForPrivacy unreachable; using bauruine"),
            LogLine(time: now.addingTimeInterval(-5), message: "greenhouse: rendezvous circuit built"),
            LogLine(time: now.addingTimeInterval(-3), message: "living-room: 20.4 °C, setpoint 21.0 °C, heating"),
        ]
        return DashboardSnapshot(devices: [living, garage, greenhouse, attic], tor: tor, log: log)
    }
}

/// A value behind a `pthread_mutex_t`; the module's only `@unchecked Sendable` primitive.
final class LockedBox<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @discardableResult
    func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
