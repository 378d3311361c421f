/// A validated change request for the thermostat (`PATCH`/`PUT /api/v1/thermostat`).
public struct ThermostatPatch: Equatable, Sendable {
    public var setpoint: Double?
    public var mode: ThermostatMode?

    public init(setpoint: Double? = nil, mode: ThermostatMode? = nil) {
        self.setpoint = setpoint
        self.mode = mode
    }

    /// Parses and validates a request body. Nothing is applied unless the whole body is valid.
    public static func parse(_ body: [UInt8]) throws(ThermostatValidationError) -> ThermostatPatch {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw ThermostatValidationError(
                "The request body is empty; send a JSON object such as {\"setpoint\": 21.5} or {\"mode\": \"heat\"}.")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw ThermostatValidationError("The request body is not valid JSON (\(error)).")
        }
        guard case .object(let members) = document else {
            throw ThermostatValidationError("The request body must be a JSON object, not \(document.typeDescription).")
        }
        if members.isEmpty {
            throw ThermostatValidationError("The request changes nothing; include \"setpoint\", \"mode\" or both.")
        }
        var patch = ThermostatPatch()
        var seen: Set<String> = []
        for member in members {
            guard seen.insert(member.key).inserted else {
                throw ThermostatValidationError("The field \"\(member.key)\" appears more than once.", field: member.key)
            }
            switch member.key {
            case "setpoint": patch.setpoint = try validateSetpoint(member.value)
            case "mode": patch.mode = try validateMode(member.value)
            default:
                throw ThermostatValidationError(
                    "Unknown field \"\(member.key)\"; only \"setpoint\" and \"mode\" can be changed.", field: member.key)
            }
        }
        return patch
    }

    /// A setpoint must be a JSON number within [min, max] and a multiple of the step.
    public static func validateSetpoint(_ value: JSONValue) throws(ThermostatValidationError) -> Double {
        guard case .number(let setpoint) = value else {
            throw ThermostatValidationError(
                "The setpoint must be a number of degrees Celsius, not \(value.typeDescription).", field: "setpoint")
        }
        let text = JSONWriter.number(setpoint)
        guard setpoint >= ThermostatModel.minSetpoint, setpoint <= ThermostatModel.maxSetpoint else {
            throw ThermostatValidationError(
                "The setpoint \(text) °C is outside the allowed range of 5 to 30 °C.", field: "setpoint")
        }
        let steps = setpoint / ThermostatModel.setpointStep
        guard steps.rounded() == steps else {
            throw ThermostatValidationError(
                "The setpoint \(text) °C is not a multiple of 0.5 °C.", field: "setpoint")
        }
        return setpoint
    }

    /// A mode must be one of the four mode strings.
    public static func validateMode(_ value: JSONValue) throws(ThermostatValidationError) -> ThermostatMode {
        let allowed = ThermostatMode.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let text) = value else {
            throw ThermostatValidationError(
                "The mode must be a string (one of \(allowed)), not \(value.typeDescription).", field: "mode")
        }
        guard let mode = ThermostatMode(rawValue: text) else {
            throw ThermostatValidationError("The mode \"\(text)\" is not one of \(allowed).", field: "mode")
        }
        return mode
    }
}

/// A rejected thermostat change, answered with 422 and `{"error": message, "field": field}`.
public struct ThermostatValidationError: Error, Equatable, CustomStringConvertible {
    /// A human sentence saying what is wrong and what is accepted.
    public var message: String
    /// The offending field, when the error is about one.
    public var field: String?

    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    public var description: String { message }

    /// The JSON error document.
    public var json: JSONValue {
        var members = [JSONMember("error", .string(message))]
        if let field { members.append(JSONMember("field", .string(field))) }
        return .object(members)
    }
}
