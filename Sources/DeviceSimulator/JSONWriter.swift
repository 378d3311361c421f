/// Serialises `JSONValue`s: compactly for the thermostat API, and in cJSON's `cJSON_Print`
/// layout (tabs and newlines) for the code-me-not `/links` API.
public enum JSONWriter {
    /// `value` with no insignificant whitespace.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        writeCompact(value, into: &out)
        return out
    }

    /// `value` laid out exactly as cJSON's `cJSON_Print` does: objects put each member on its own
    /// line indented with tabs and separate key and value with `":\t"`; arrays keep elements
    /// on one line separated by `", "`.
    public static func cJSONFormatted(_ value: JSONValue) -> String {
        var out = ""
        var depth = 0
        writeCJSON(value, depth: &depth, into: &out)
        return out
    }

    /// A JSON number as cJSON and most readers expect: integral values without a fraction.
    public static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A quoted, escaped JSON string.
    public static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func writeCompact(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): out += Self.number(number)
        case .string(let string): out += quoted(string)
        case .array(let elements):
            out += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out += "," }
                writeCompact(element, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { out += "," }
                out += quoted(member.key) + ":"
                writeCompact(member.value, into: &out)
            }
            out += "}"
        }
    }

    private static func writeCJSON(_ value: JSONValue, depth: inout Int, into out: inout String) {
        switch value {
        case .array(let elements):
            out += "["
            depth += 1
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out += ", " }
                writeCJSON(element, depth: &depth, into: &out)
            }
            depth -= 1
            out += "]"
        case .object(let members):
            out += "{\n"
            depth += 1
            for (offset, member) in members.enumerated() {
                out += String(repeating: "\t", count: depth)
                out += quoted(member.key) + ":\t"
                writeCJSON(member.value, depth: &depth, into: &out)
                if offset < members.count - 1 { out += "," }
                out += "\n"
            }
            out += String(repeating: "\t", count: depth - 1) + "}"
            depth -= 1
        default:
            writeCompact(value, into: &out)
        }
    }
}
