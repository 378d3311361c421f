import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl set NAME setpoint 21.5 [mode heat]`.
struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change a thermostat's setpoint and/or mode; the change is checked locally and confirmed from the device's answer.",
        discussion: "Examples: onionctl set thermostat setpoint 21.5 · onionctl set thermostat mode heat · onionctl set thermostat setpoint 19 mode auto")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The thermostat.")
    var name: String

    @Argument(help: "FIELD VALUE pairs: setpoint <°C>, mode off|heat|cool|auto.")
    var assignments: [String] = []

    func run() async throws {
        try await reporting(json: global.json) {
            let change = try parse()
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            guard entry.kind == .thermostat else {
                throw DeviceError.wrongKind(device: name, kind: entry.kind, expected: .thermostat)
            }
            let reading = try await withService(context, [entry], global: global, connection: connection) { service in
                try await service.change(name, change)
            }
            if global.json { try printJSON(reading); return }
            say("\(name): setpoint \(ThermostatReading.format(reading.setpoint)) °C, mode \(reading.mode) (now \(ThermostatReading.format(reading.temperature)) °C, \(reading.state))")
        }
    }

    private func parse() throws -> ThermostatChange {
        guard !assignments.isEmpty, assignments.count % 2 == 0 else {
            throw CLIError.usage("expected FIELD VALUE pairs, e.g. setpoint 21.5 or mode heat")
        }
        var change = ThermostatChange()
        for pair in stride(from: 0, to: assignments.count, by: 2) {
            let field = assignments[pair], value = assignments[pair + 1]
            switch field {
            case "setpoint":
                guard change.setpoint == nil else { throw CLIError.usage("setpoint is given twice") }
                guard let number = Double(value.replacing(",", with: ".")), number.isFinite else {
                    throw CLIError.usage("the setpoint must be a number in °C, e.g. 21.5 (got '\(value)')")
                }
                change.setpoint = number
            case "mode":
                guard change.mode == nil else { throw CLIError.usage("mode is given twice") }
                guard let mode = ThermostatMode(rawValue: value.lowercased()) else {
                    throw CLIError.usage("unknown mode '\(value)'; use off, heat, cool or auto")
                }
                change.mode = mode
            default:
                throw CLIError.usage("unknown field '\(field)'; a thermostat has setpoint and mode")
            }
        }
        return change
    }
}
