import Foundation

/// What the thermostat is asked to do.
public enum ThermostatMode: String, Codable, Sendable, CaseIterable {
    case off, heat, cool, auto
}

/// What the thermostat is doing right now.
public enum ThermostatActivity: String, Codable, Sendable {
    case idle, heating, cooling
}

/// One point of the temperature history.
public struct ThermostatSample: Codable, Equatable, Sendable {
    public var time: Date
    public var temperature: Double
    public var setpoint: Double
}

/// The complete, persisted state of the simulated thermostat. All changes go through
/// `apply(_:at:)` (user requests) and `advance(to:)` (physics, in ThermostatPhysics.swift).
public struct ThermostatModel: Codable, Equatable, Sendable {
    /// Lowest accepted setpoint, °C.
    public static let minSetpoint = 5.0
    /// Highest accepted setpoint, °C.
    public static let maxSetpoint = 30.0
    /// Setpoints must be multiples of this, °C.
    public static let setpointStep = 0.5
    /// Seconds between history samples (simulated time).
    public static let historyInterval: TimeInterval = 10
    /// Samples kept.
    public static let historyCapacity = 120

    public var name: String
    public var temperature: Double
    public var setpoint: Double
    public var mode: ThermostatMode
    public var humidity: Double
    public var activity: ThermostatActivity
    /// When the reading or settings last changed.
    public var updated: Date
    /// The simulated time up to which physics has been computed.
    public var simulatedTime: Date
    public var history: [ThermostatSample]
    /// State of the humidity random walk, so the simulation replays identically.
    public var randomState: UInt64

    /// A thermostat at ambient temperature, heating towards 21 °C, as of `now`.
    public init(name: String, now: Date) {
        self.name = name
        temperature = ThermostatPhysics.ambient
        setpoint = 21
        mode = .heat
        humidity = 45
        activity = .idle
        updated = now
        simulatedTime = now
        history = []
        randomState = 0x9E37_79B9_7F4A_7C15
        updateActivity()
        recordSample()
    }

    /// Applies a validated change; the heating/cooling state follows at once.
    public mutating func apply(_ patch: ThermostatPatch, at now: Date) {
        if let setpoint = patch.setpoint { self.setpoint = setpoint }
        if let mode = patch.mode { self.mode = mode }
        updateActivity()
        updated = max(now, simulatedTime)
    }

    /// Appends a history sample at `simulatedTime`, dropping the oldest beyond the capacity.
    mutating func recordSample() {
        history.append(ThermostatSample(time: simulatedTime, temperature: temperature, setpoint: setpoint))
        if history.count > Self.historyCapacity { history.removeFirst(history.count - Self.historyCapacity) }
    }

    /// The `GET /api/v1/thermostat` document.
    public var apiJSON: JSONValue {
        .object([
            JSONMember("name", .string(name)),
            JSONMember("temperature", .number(Self.rounded(temperature, places: 2))),
            JSONMember("setpoint", .number(setpoint)),
            JSONMember("mode", .string(mode.rawValue)),
            JSONMember("humidity", .number(Self.rounded(humidity, places: 1))),
            JSONMember("state", .string(activity.rawValue)),
            JSONMember("units", .string("C")),
            JSONMember("min", .number(Self.minSetpoint)),
            JSONMember("max", .number(Self.maxSetpoint)),
            JSONMember("step", .number(Self.setpointStep)),
            JSONMember("updated", .string(ISO8601.string(from: updated))),
        ])
    }

    /// The `GET /api/v1/thermostat/history` document.
    public var historyJSON: JSONValue {
        .object([
            JSONMember("interval", .number(Self.historyInterval)),
            JSONMember("samples", .array(history.map { sample in
                .object([
                    JSONMember("t", .string(ISO8601.string(from: sample.time))),
                    JSONMember("temperature", .number(Self.rounded(sample.temperature, places: 2))),
                    JSONMember("setpoint", .number(sample.setpoint)),
                ])
            })),
        ])
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
