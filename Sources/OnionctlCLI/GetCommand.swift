import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl get NAME [FIELD]`: read a device.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Read a device: a thermostat's state (or one field, or history), a pins device's links, or an http device's path.",
        discussion: """
            Thermostat fields: temperature, setpoint, mode, humidity, state, units, min, max, step, updated, name, history.
            Pins: FIELD is a link index. http devices: FIELD is a path (default /).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The device.")
    var name: String

    @Argument(help: "A field, link index or path.")
    var field: String?

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            try await withService(context, [entry], global: global, connection: connection) { service in
                switch entry.kind {
                case .thermostat: try await thermostat(service)
                case .pins: try await pins(service)
                case .http: try await http(service)
                }
            }
        }
    }

    private func thermostat(_ service: DeviceService) async throws {
        if field == "history" {
            let history = try await service.history(name)
            if global.json { try printJSON(history); return }
            for sample in history.samples {
                say("\(sample.t)  \(ThermostatReading.format(sample.temperature)) °C  setpoint \(ThermostatReading.format(sample.setpoint)) °C")
            }
            return
        }
        let valid = ["temperature", "setpoint", "mode", "humidity", "state", "units", "min", "max", "step", "updated", "name"]
        if let field, !valid.contains(field) {
            throw CLIError.usage("unknown thermostat field '\(field)'; use one of \(valid.joined(separator: ", ")) or history")
        }
        let reading = try await service.thermostat(name)
        let data = try JSONEncoder().encode(reading)
        let object = try JSONDecoder().decode([String: JSONField].self, from: data)
        if let field {
            let value = object[field]
            if global.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                let wrapped = try encoder.encode([field: value ?? .null])
                StandardStreams.out(terminalSafeJSON(wrapped) + Data("\n".utf8))
            } else if case let .number(number)? = value {
                say(ThermostatReading.format(number))
            } else {
                say(value?.text ?? "")
            }
            return
        }
        if global.json { try printJSON(reading); return }
        say("\(reading.name): \(ThermostatReading.format(reading.temperature)) °C, \(reading.state)")
        say("setpoint     \(ThermostatReading.format(reading.setpoint)) °C  (\(ThermostatReading.format(reading.min))–\(ThermostatReading.format(reading.max)), step \(ThermostatReading.format(reading.step)))")
        say("mode         \(reading.mode)")
        if let humidity = reading.humidity { say("humidity     \(ThermostatReading.format(humidity)) %") }
        if let updated = reading.updated { say("updated      \(updated)") }
    }

    private func pins(_ service: DeviceService) async throws {
        var links = try await service.pins(name)
        if let field {
            guard let index = Int(field) else { throw CLIError.usage("for a pins device, FIELD is a link index") }
            links = links.filter { $0.index == index }
            guard !links.isEmpty else { throw DeviceError.invalidValue("\(name) has no link \(index)") }
        }
        if global.json { try printJSON(field == nil ? AnyEncodable(links) : AnyEncodable(links[0])); return }
        PinsCommand.printLinks(links)
    }

    private func http(_ service: DeviceService) async throws {
        let path = field ?? "/"
        guard path.hasPrefix("/") else { throw CLIError.usage("for an http device, FIELD is a path starting with /") }
        let response = try await service.request(name, path: path)
        if global.json {
            guard response.status < 400 else { throw HTTPStatusFailure(response) }
            try printJSON(HTTPAnswerOutput(response))
        } else {
            StandardStreams.out(safeMultiline(response.body))
        }
        if response.status >= 400 { throw ExitCode(ExitCodes.httpError) }
    }
}

/// Type erasure for printJSON of differently typed values.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode(to:) }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}

/// One field of a device's JSON reading (the thermostat's fields are scalars).
enum JSONField: Codable, Equatable {
    case number(Double), string(String), bool(Bool), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .string(try container.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .bool(value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// As printed by `get NAME FIELD`.
    var text: String {
        switch self {
        case let .number(value): return "\(value)"
        case let .string(value): return value
        case let .bool(value): return "\(value)"
        case .null: return ""
        }
    }
}
