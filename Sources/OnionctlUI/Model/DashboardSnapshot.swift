import FoundationEssentials
import struct Devices.PinLink
import OnionService

/// Everything the dashboard shows, as one immutable value.
///
/// A ``DashboardBackend`` produces these; the UI renders whichever is the latest and never waits
/// on the network. Times are absolute (`Date`) and ages are computed against the render clock, so a
/// snapshot taken with a fixed clock renders identically every time (the snapshot tests rely on it).
public struct DashboardSnapshot: Sendable, Equatable {
    /// Devices in address-book order.
    public var devices: [DeviceSnapshot]
    /// The embedded Tor client's state.
    public var tor: TorStatus
    /// Recent log lines, oldest first.
    public var log: [LogLine]
    /// Why the address book cannot be used (unparsable, newer schema, unreadable): shown in place of
    /// the device list; adding and removing are refused until it is fixed. The file is never changed.
    public var addressBookProblem: DeviceProblem?
    /// The SOCKS proxy started with the dashboard (`onionctl --proxy HOST:PORT`); nil: none asked for.
    public var proxy: ProxyStatus?

    public init(devices: [DeviceSnapshot] = [], tor: TorStatus = TorStatus(), log: [LogLine] = [],
                addressBookProblem: DeviceProblem? = nil, proxy: ProxyStatus? = nil) {
        self.devices = devices
        self.tor = tor
        self.log = log
        self.addressBookProblem = addressBookProblem
        self.proxy = proxy
    }

    /// The device called `name`, if any.
    public func device(named name: String) -> DeviceSnapshot? { devices.first { $0.name == name } }
}

/// What kind of device an address-book entry is.
public enum DeviceKind: String, Sendable, Equatable, CaseIterable {
    /// onionctl's own thermostat JSON API (`docs/device-api.md`).
    case thermostat
    /// code-me-not's `/links` GPIO API.
    case pins
    /// Anything else reachable over HTTP; shown, not controlled.
    case http
}

/// How far the client got in reaching a device's onion service.
public struct DeviceConnection: Sendable, Equatable {
    /// The coarse state of the connection.
    public enum State: Sendable, Equatable {
        /// No attempt yet (or the last one was closed).
        case idle
        /// An attempt is in progress and has reached `phase`.
        case connecting(ConnectionPhase)
        /// The rendezvous circuit is up.
        case connected
        /// The last attempt failed (the device's ``DeviceSnapshot/problem`` says why).
        case failed(ConnectionPhase?)
    }

    public var state: State
    /// Seconds since the current (or last) attempt started, as last reported.
    public var elapsed: TimeInterval?
    /// When the current attempt started: while connecting, the shown time runs from it (the
    /// render clock), so a phase that takes long is seen taking long.
    public var startedAt: Date?
    /// A short technical detail of the phase ("HSDir $ABCD…", "solving a proof of work, effort 8…"),
    /// for the Tor view and, while connecting, beside the phases of the detail view.
    public var detail: String

    public init(state: State = .idle, elapsed: TimeInterval? = nil, detail: String = "", startedAt: Date? = nil) {
        self.state = state
        self.elapsed = elapsed
        self.detail = detail
        self.startedAt = startedAt
    }

    /// Seconds to show at `now`: counted from ``startedAt`` while connecting, else as reported.
    public func seconds(at now: Date) -> TimeInterval? {
        if case .connecting = state, let startedAt { return max(elapsed ?? 0, now.timeIntervalSince(startedAt)) }
        return elapsed
    }

    /// Convenience: build from the Tor client's progress report.
    public init(progress: ConnectionProgress) {
        self.init(state: progress.phase == .connected ? .connected : .connecting(progress.phase),
                  elapsed: progress.elapsed, detail: progress.detail)
    }
}

/// Thermostat operating mode (`docs/device-api.md`).
public enum ThermostatMode: String, Sendable, Equatable, CaseIterable {
    case off, heat, cool, auto

    /// The mode `m` switches to.
    public var next: ThermostatMode {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// What the thermostat is doing right now.
public enum HeatingState: String, Sendable, Equatable, CaseIterable {
    case idle, heating, cooling
}

/// One history sample of a thermostat.
public struct TemperatureSample: Sendable, Equatable {
    public var time: Date
    public var temperature: Double
    public var setpoint: Double

    public init(time: Date, temperature: Double, setpoint: Double) {
        self.time = time
        self.temperature = temperature
        self.setpoint = setpoint
    }
}

/// The last confirmed reading of a thermostat.
public struct ThermostatReading: Sendable, Equatable {
    public var temperature: Double
    public var setpoint: Double
    public var mode: ThermostatMode
    public var humidity: Double?
    public var state: HeatingState
    public var minimum: Double
    public var maximum: Double
    public var step: Double
    /// Oldest first.
    public var history: [TemperatureSample]

    public init(temperature: Double, setpoint: Double, mode: ThermostatMode, humidity: Double? = nil,
                state: HeatingState = .idle, minimum: Double = 5, maximum: Double = 30, step: Double = 0.5,
                history: [TemperatureSample] = []) {
        self.temperature = temperature
        self.setpoint = setpoint
        self.mode = mode
        self.humidity = humidity
        self.state = state
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.history = history
    }

    /// `value` moved by `steps` steps and clamped to the device's limits.
    public func setpoint(from value: Double, movedBy steps: Int) -> Double {
        let moved = value + Double(steps) * step
        return Swift.min(maximum, Swift.max(minimum, (moved / step).rounded() * step))
    }
}

/// One entry of a code-me-not `/links` list.
public struct PinLink: Sendable, Equatable {
    /// Link type: 0 simple pin, 1 scheduled, 2 interrupt.
    public var type: Int
    public var name: String
    public var index: Int
    /// GPIO number (type 0 links only).
    public var pin: Int?
    /// Pin state (type 0 links only).
    public var isOn: Bool?

    public init(name: String, index: Int, type: Int = 0, pin: Int? = nil, isOn: Bool? = nil) {
        self.name = name
        self.index = index
        self.type = type
        self.pin = pin
        self.isOn = isOn
    }

    /// Only simple pins can be toggled.
    public var isToggleable: Bool { type == 0 && isOn != nil }

    /// Human name of `type`, the same as the CLI's (``Devices/PinLink/typeName(_:)``).
    public var typeName: String { Devices.PinLink.typeName(type) }
}

/// Changes sent to a device and not yet confirmed by it.
public struct PendingChanges: Sendable, Equatable {
    public var setpoint: Double?
    public var mode: ThermostatMode?
    /// Pin index → requested state.
    public var pins: [Int: Bool]

    public init(setpoint: Double? = nil, mode: ThermostatMode? = nil, pins: [Int: Bool] = [:]) {
        self.setpoint = setpoint
        self.mode = mode
        self.pins = pins
    }

    public var isEmpty: Bool { setpoint == nil && mode == nil && pins.isEmpty }
}

/// A failure explained for the person at the keyboard.
public struct DeviceProblem: Sendable, Equatable {
    /// What went wrong, in plain words ("The device did not answer within 60 s.").
    public var message: String
    /// What to do about it ("It may be offline; press r to retry.").
    public var advice: String
    /// The outcome in the word `onionctl status` uses (`offline`, `unauthorized`, `error`), shown in
    /// the device list instead of the phase the attempt stopped at; nil: "failed".
    public var outcome: String?

    public init(message: String, advice: String = "", outcome: String? = nil) {
        self.message = message
        self.advice = advice
        self.outcome = outcome
    }
}

/// One device as the dashboard sees it.
public struct DeviceSnapshot: Sendable, Equatable {
    public var name: String
    public var kind: DeviceKind
    /// Canonical `<56 chars>.onion`.
    public var onion: String
    public var connection: DeviceConnection
    /// Thermostats only, once read.
    public var thermostat: ThermostatReading?
    /// Pin devices only, once read.
    public var pins: [PinLink]?
    /// When the last reading arrived.
    public var lastUpdate: Date?
    public var pending: PendingChanges
    public var problem: DeviceProblem?

    public init(name: String, kind: DeviceKind, onion: String, connection: DeviceConnection = DeviceConnection(),
                thermostat: ThermostatReading? = nil, pins: [PinLink]? = nil, lastUpdate: Date? = nil,
                pending: PendingChanges = PendingChanges(), problem: DeviceProblem? = nil) {
        self.name = name
        self.kind = kind
        self.onion = onion
        self.connection = connection
        self.thermostat = thermostat
        self.pins = pins
        self.lastUpdate = lastUpdate
        self.pending = pending
        self.problem = problem
    }
}

/// A circuit as listed in the Tor view.
public struct CircuitSummary: Sendable, Equatable {
    public var id: UInt32
    /// "rendezvous living-room", "HSDir", "directory", …
    public var purpose: String
    /// Relay nicknames, first hop first.
    public var hops: [String]

    public init(id: UInt32, purpose: String, hops: [String]) {
        self.id = id
        self.purpose = purpose
        self.hops = hops
    }
}

/// A guard relay as listed in the Tor view.
public struct GuardSummary: Sendable, Equatable {
    public var nickname: String
    public var address: String
    public var usable: Bool
    /// A guard that has carried a circuit (prop 271's confirmed guards).
    public var confirmed: Bool

    public init(nickname: String, address: String, usable: Bool = true, confirmed: Bool = false) {
        self.nickname = nickname
        self.address = address
        self.usable = usable
        self.confirmed = confirmed
    }
}

/// A layer-2 vanguard (prop 333) as listed in the Tor view.
public struct VanguardSummary: Sendable, Equatable {
    public var nickname: String
    public var expires: Date

    public init(nickname: String, expires: Date) {
        self.nickname = nickname
        self.expires = expires
    }
}

/// The embedded Tor client's state.
public struct TorStatus: Sendable, Equatable {
    /// True once a usable consensus is loaded.
    public var bootstrapped: Bool
    /// The consensus' `valid-after`.
    public var consensusValidAfter: Date?
    /// The consensus' `valid-until`.
    public var consensusValidUntil: Date?
    /// Relays in the consensus.
    public var relayCount: Int
    /// The primary guards, first preferred.
    public var guards: [GuardSummary]
    /// How many guards are sampled (prop 271); 0 when unknown.
    public var sampledGuards: Int
    /// The layer-2 vanguards of onion-service circuits with their expiry.
    public var vanguards: [VanguardSummary]
    /// The circuit build timeout in one line ("0.05 s learned from 100 builds (…)" or
    /// "60.00 s initial; learning: 12 of 100 builds"); empty when unknown.
    public var circuitBuildTimeout: String
    public var circuits: [CircuitSummary]
    /// "mainnet", "private network (3 authorities)", …
    public var network: String
    /// A problem with Tor itself, if any.
    public var problem: DeviceProblem?

    public init(bootstrapped: Bool = false, consensusValidAfter: Date? = nil, consensusValidUntil: Date? = nil,
                relayCount: Int = 0, guards: [GuardSummary] = [], sampledGuards: Int = 0, vanguards: [VanguardSummary] = [],
                circuitBuildTimeout: String = "", circuits: [CircuitSummary] = [], network: String = "",
                problem: DeviceProblem? = nil) {
        self.bootstrapped = bootstrapped
        self.consensusValidAfter = consensusValidAfter
        self.consensusValidUntil = consensusValidUntil
        self.relayCount = relayCount
        self.guards = guards
        self.sampledGuards = sampledGuards
        self.vanguards = vanguards
        self.circuitBuildTimeout = circuitBuildTimeout
        self.circuits = circuits
        self.network = network
        self.problem = problem
    }
}

/// The SOCKS proxy running beside the dashboard, on the dashboard's Tor client.
public struct ProxyStatus: Sendable, Equatable {
    /// Where it listens (`127.0.0.1:9150`), as asked for or as bound.
    public var listen: String
    /// Streams it carries right now.
    public var openStreams: Int
    /// Streams opened through it since it started.
    public var totalStreams: Int
    /// Why it is not running (the system's reason: "Address already in use", …); nil while it runs.
    public var problem: String?

    public init(listen: String, openStreams: Int = 0, totalStreams: Int = 0, problem: String? = nil) {
        self.listen = listen
        self.openStreams = openStreams
        self.totalStreams = totalStreams
        self.problem = problem
    }

    /// True when it accepts connections.
    public var isRunning: Bool { problem == nil }
}

/// One line of the log view.
public struct LogLine: Sendable, Equatable {
    public enum Level: String, Sendable, Equatable { case debug, info, warning, error }
    public var time: Date
    public var level: Level
    public var message: String

    public init(time: Date, level: Level = .info, message: String) {
        self.time = time
        self.level = level
        self.message = message
    }
}
