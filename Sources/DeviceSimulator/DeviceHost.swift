import Foundation

/// Runs one simulated device: loads its state, serves it over HTTP, ticks the simulation and
/// saves periodically. Used by `onion-device` and by the end-to-end tests.
public final class DeviceHost: Sendable {
    public let device: any SimulatedDevice
    public let server: HTTPServer
    private let store: StateStore?
    private let tickInterval: TimeInterval?
    private let saveInterval: TimeInterval
    private let ticker = Locked(TickerState())
    private let tickerDone = DispatchSemaphore(value: 0)

    private struct TickerState {
        var running = false
        var lastSaved: DeviceStateFile?
    }

    /// Loads (or creates) the state for `options` and prepares the server.
    /// - Parameters:
    ///   - clock: the simulation clock (a `ManualClock` in tests).
    ///   - tickInterval: wall-clock seconds between simulation ticks; nil disables the ticker
    ///     (tests then drive the clock and requests advance the simulation).
    ///   - saveInterval: wall-clock seconds between periodic saves of the simulation.
    /// - Throws: `StateStoreError` for a corrupt, unreadable or wrong-kind state file.
    public init(options: DeviceOptions, clock: any DeviceClock = SystemClock(),
                tickInterval: TimeInterval? = 1, saveInterval: TimeInterval = 10) throws {
        let store = options.statePath.map(StateStore.init(path:))
        let stored = try store?.load()
        if let stored, stored.kind != options.kind {
            throw StateStoreError.wrongKind(path: store!.path, found: stored.kind, wanted: options.kind)
        }
        switch options.kind {
        case .thermostat:
            var model = stored?.thermostat ?? ThermostatModel(name: options.name ?? "Thermostat", now: clock.now())
            if let name = options.name { model.name = name }
            if options.hostileText && !model.name.hasPrefix(HostileText.prefix) { model.name = HostileText.decorate(model.name) }
            device = ThermostatDevice(model: model, clock: clock, store: store, quirks: options.quirks)
        case .pins:
            var model = stored?.pins ?? PinsModel(name: options.name ?? "code-me-not")
            if let name = options.name { model.name = name }
            if options.hostileText && !model.name.hasPrefix(HostileText.prefix) { model.name = HostileText.decorate(model.name) }
            device = PinsDevice(model: model, store: store, quirks: options.quirks)
        }
        self.store = store
        self.tickInterval = tickInterval
        self.saveInterval = saveInterval
        let device = self.device
        let handle: @Sendable (HTTPRequest) -> HTTPResponse = { device.handle($0) }
        let serve = options.changeLogPath.map { ChangeLog.wrap(handle, path: $0) } ?? handle
        server = HTTPServer(
            configuration: HTTPServerConfiguration(address: options.listen, quirks: options.quirks,
                                                   acceptInterval: options.acceptInterval,
                                                   idleTimeout: options.idleTimeout),
            handler: options.hostileText ? HostileText.wrap(serve) : serve)
        if stored == nil || options.name != nil { try device.persist() }
    }

    /// Starts serving (and ticking); returns the bound port.
    @discardableResult
    public func start() throws -> UInt16 {
        let port = try server.start()
        if let tickInterval {
            ticker.withLock { $0.running = true }
            let thread = Thread { [self] in runTicker(every: tickInterval) }
            thread.name = "onion-device simulation"
            thread.start()
        }
        return port
    }

    /// Stops serving and ticking, then saves the state.
    public func stop() throws {
        let wasTicking = ticker.withLock { state -> Bool in
            let was = state.running
            state.running = false
            return was
        }
        if wasTicking { _ = tickerDone.wait(timeout: .now() + 2) }
        server.stop()
        try device.persist()
    }

    private func runTicker(every interval: TimeInterval) {
        defer { tickerDone.signal() }
        var lastSave = Date()
        while ticker.withLock({ $0.running }) {
            usleep(useconds_t(min(interval, 0.25) * 1_000_000))
            device.tick()
            if Date().timeIntervalSince(lastSave) >= saveInterval {
                lastSave = Date()
                let snapshot = device.snapshot
                let changed = ticker.withLock { state -> Bool in
                    defer { state.lastSaved = snapshot }
                    return state.lastSaved != snapshot
                }
                if changed {
                    do { try device.persist() } catch {
                        FileHandle.standardError.write(Data("onion-device: \(error)\n".utf8))
                    }
                }
            }
        }
    }
}
