import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionctlUI

/// What the dashboard's `:list`, `:status` and `:get` answer on the status line, from the latest
/// snapshot (no network): pure, so it is tested directly.
enum DashboardCommandText {
    /// `:list`: every device with its kind.
    static func list(_ snapshot: DashboardSnapshot) -> String {
        guard !snapshot.devices.isEmpty else { return "No devices yet: press a to add one." }
        return "\(snapshot.devices.count) device\(snapshot.devices.count == 1 ? "" : "s"): "
            + snapshot.devices.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
    }

    /// `:status [NAME…]`: each device's state in the words `onionctl status` uses.
    static func status(_ snapshot: DashboardSnapshot, names: [String]) throws -> String {
        let devices = try names.isEmpty ? snapshot.devices : names.map { name in
            guard let device = snapshot.device(named: name) else { throw DashboardError("There is no device named \(name).") }
            return device
        }
        guard !devices.isEmpty else { return "No devices yet: press a to add one." }
        return devices.map { "\($0.name) \(state($0))" }.joined(separator: " · ")
    }

    /// `:get NAME`: the last reading, or why there is none.
    static func get(_ device: DeviceSnapshot) -> String {
        if let reading = device.thermostat {
            var text = "\(device.name): \(one(reading.temperature)) °C, setpoint \(one(reading.setpoint)) °C, \(reading.mode.rawValue), \(reading.state.rawValue)"
            if device.problem != nil { text += " (last reading; now \(state(device)))" }
            return text
        }
        if let pins = device.pins {
            return "\(device.name): " + pins.map { "\($0.name) \($0.isOn == true ? "on" : "off")" }.joined(separator: ", ")
        }
        if let problem = device.problem {
            let reason = problem.message.hasPrefix("\(device.name): ") ? String(problem.message.dropFirst(device.name.count + 2)) : problem.message
            return "\(device.name): \(problem.outcome ?? "error"): \(reason)"
        }
        return "\(device.name): not read yet (\(state(device)))"
    }

    /// online / offline / unauthorized / error / connecting (phase) / not connected.
    static func state(_ device: DeviceSnapshot) -> String {
        switch device.connection.state {
        case .connected: return device.problem == nil ? "online" : (device.problem?.outcome ?? "error")
        case let .connecting(phase): return "connecting (\(phase.rawValue))"
        case .failed: return device.problem?.outcome ?? "error"
        case .idle: return device.problem?.outcome ?? "not connected yet"
        }
    }

    private static func one(_ value: Double) -> String { value.fixed(1) }
}
