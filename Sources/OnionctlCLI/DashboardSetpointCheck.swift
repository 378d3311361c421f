import Devices
import OnionctlUI

/// The dashboard's `:set NAME setpoint V` checked the way `onionctl set` checks it, before anything
/// is sent: a number, inside the device's range, on its step (``Devices/ThermostatReading/validateSetpoint(_:)``).
enum DashboardSetpointCheck {
    /// The setpoint typed as `text` for a thermostat last read as `reading` (nil: not read yet, the
    /// device checks it then). Throws a sentence for the command line when it cannot be sent.
    static func value(_ text: String, device: String, reading: OnionctlUI.ThermostatReading?) throws -> Double {
        guard let value = Double(text.replacing(",", with: ".")), value.isFinite else {
            throw DashboardError("\(device): not changed: the setpoint must be a number in °C, e.g. 21.5 (got '\(text)')")
        }
        guard let reading else { return value }
        let limits = Devices.ThermostatReading(name: device, temperature: reading.temperature, setpoint: reading.setpoint,
                                               mode: .off, state: "idle", min: reading.minimum, max: reading.maximum,
                                               step: reading.step)
        do { try limits.validateSetpoint(value) } catch {
            throw DashboardError("\(device): not changed: \(error)")
        }
        return value
    }
}
