import FoundationEssentials

/// A thermostat's operating mode (docs/device-api.md).
public enum ThermostatMode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case off, heat, cool, auto
    public var description: String { rawValue }
}

/// `GET /api/v1/thermostat`.
public struct ThermostatReading: Sendable, Codable, Equatable {
    public var name: String
    public var temperature: Double
    public var setpoint: Double
    public var mode: ThermostatMode
    public var humidity: Double?
    /// `idle`, `heating` or `cooling`.
    public var state: String
    public var units: String?
    public var min: Double
    public var max: Double
    public var step: Double
    public var updated: String?

    public init(name: String, temperature: Double, setpoint: Double, mode: ThermostatMode, humidity: Double? = nil,
                state: String, units: String? = "C", min: Double, max: Double, step: Double, updated: String? = nil) {
        self.name = name
        self.temperature = temperature
        self.setpoint = setpoint
        self.mode = mode
        self.humidity = humidity
        self.state = state
        self.units = units
        self.min = min
        self.max = max
        self.step = step
        self.updated = updated
    }

    /// Checks a setpoint against this device's own limits before anything is sent.
    public func validateSetpoint(_ value: Double) throws(DeviceError) {
        guard value.isFinite else { throw .invalidValue("the setpoint must be a number") }
        guard value >= min && value <= max else {
            throw .invalidValue("the setpoint \(Self.format(value)) °C is outside this thermostat's range \(Self.format(min))–\(Self.format(max)) °C")
        }
        if step > 0 {
            let steps = (value - min) / step
            guard abs(steps - steps.rounded()) < 1e-6 else {
                throw .invalidValue("the setpoint \(Self.format(value)) °C is not a multiple of this thermostat's step \(Self.format(step)) °C")
            }
        }
    }

    /// `21`, `21.5`, `20.25`: no trailing zeros.
    public static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        // Three decimals, rounded, trailing zeros dropped (what `%.3f` then trimming gave).
        let thousandths = Int((abs(value) * 1000).rounded())
        let sign = value < 0 && thousandths != 0 ? "-" : ""
        var fraction = String(thousandths % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + String(thousandths / 1000) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// `GET /api/v1/thermostat/history`.
public struct ThermostatHistory: Sendable, Codable, Equatable {
    public struct Sample: Sendable, Codable, Equatable {
        public var t: String
        public var temperature: Double
        public var setpoint: Double
    }
    public var interval: Double
    public var samples: [Sample]
}

/// The body of a `PATCH /api/v1/thermostat`.
public struct ThermostatChange: Sendable, Encodable, Equatable {
    public var setpoint: Double?
    public var mode: ThermostatMode?

    public init(setpoint: Double? = nil, mode: ThermostatMode? = nil) {
        self.setpoint = setpoint
        self.mode = mode
    }

    public func encoded() -> [UInt8] {
        var parts: [String] = []
        if let setpoint { parts.append("\"setpoint\":\(ThermostatReading.format(setpoint))") }
        if let mode { parts.append("\"mode\":\"\(mode.rawValue)\"") }
        return Array("{\(parts.joined(separator: ","))}".utf8)
    }

    /// Whether the device's answer shows this change applied.
    public func isApplied(in reading: ThermostatReading) -> Bool {
        if let setpoint, abs(reading.setpoint - setpoint) > 1e-6 { return false }
        if let mode, reading.mode != mode { return false }
        return true
    }
}
