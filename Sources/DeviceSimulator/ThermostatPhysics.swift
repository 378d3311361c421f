import Foundation

/// The thermostat's simple room physics, in steps of one simulated second.
public enum ThermostatPhysics {
    /// Temperature the room drifts to when not heated or cooled, °C.
    public static let ambient = 17.0
    /// Change per second while heating or cooling, °C.
    public static let activeRate = 0.1
    /// Drift per second toward ambient while idle, °C.
    public static let driftRate = 0.02
    /// Heating starts below setpoint − hysteresis; cooling above setpoint + hysteresis.
    public static let hysteresis = 0.3
    /// Longest stretch simulated after a gap (e.g. a restart): six hours.
    public static let maxCatchUp: TimeInterval = 6 * 3600
}

extension ThermostatModel {
    /// Runs the simulation forward in whole seconds up to `now`, recording history samples.
    public mutating func advance(to now: Date) {
        var elapsed = now.timeIntervalSince(simulatedTime)
        guard elapsed >= 1 else { return }
        if elapsed > ThermostatPhysics.maxCatchUp {
            simulatedTime = now.addingTimeInterval(-ThermostatPhysics.maxCatchUp)
            elapsed = ThermostatPhysics.maxCatchUp
        }
        for _ in 0..<Int(elapsed) {
            simulatedTime = simulatedTime.addingTimeInterval(1)
            step()
            if let last = history.last, simulatedTime.timeIntervalSince(last.time) < Self.historyInterval { continue }
            recordSample()
        }
        updated = simulatedTime
    }

    /// One simulated second.
    mutating func step() {
        updateActivity()
        switch activity {
        case .heating:
            temperature += min(ThermostatPhysics.activeRate, max(0, setpoint - temperature))
        case .cooling:
            temperature -= min(ThermostatPhysics.activeRate, max(0, temperature - setpoint))
        case .idle:
            let gap = ThermostatPhysics.ambient - temperature
            temperature += max(-ThermostatPhysics.driftRate, min(ThermostatPhysics.driftRate, gap))
        }
        temperature = Self.rounded(temperature, places: 3)
        updateActivity()
        wanderHumidity()
    }

    /// Chooses heating/cooling/idle from mode, temperature and setpoint, with hysteresis:
    /// heating starts below setpoint − 0.3 and stops at the setpoint; cooling mirrors it.
    mutating func updateActivity() {
        let epsilon = 1e-9
        let tooCold = temperature < setpoint - ThermostatPhysics.hysteresis - epsilon
        let tooWarm = temperature > setpoint + ThermostatPhysics.hysteresis + epsilon
        let mayHeat = mode == .heat || mode == .auto
        let mayCool = mode == .cool || mode == .auto
        switch activity {
        case .heating where mayHeat && temperature < setpoint - epsilon:
            break
        case .cooling where mayCool && temperature > setpoint + epsilon:
            break
        default:
            activity = mayHeat && tooCold ? .heating : mayCool && tooWarm ? .cooling : .idle
        }
    }

    /// A gentle, deterministic random walk around 45 % relative humidity.
    mutating func wanderHumidity() {
        // xorshift64*
        randomState ^= randomState >> 12
        randomState ^= randomState << 25
        randomState ^= randomState >> 27
        let random = randomState &* 0x2545_F491_4F6C_DD1D
        let unit = Double(random >> 11) / Double(1 << 53) * 2 - 1 // in [-1, 1)
        humidity += unit * 0.05 + (45 - humidity) * 0.001
        humidity = Self.rounded(min(80, max(20, humidity)), places: 3)
    }
}
