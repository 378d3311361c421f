import FoundationEssentials
import OnionService

/// `devices.toml`: the address book as a small, strict subset of TOML that people can read, edit
/// and diff:
///
/// ```toml
/// # onionctl address book
/// schema = 1
///
/// [devices.thermostat]
/// onion = "abcd…xyz.onion"
/// port = 80
/// kind = "thermostat"
/// notes = "living room"
/// ```
///
/// Accepted: `#` comments, blank lines, top-level `schema = <integer>` (required, first),
/// `[devices.NAME]` tables with `onion` (required), `port`, `kind`, `notes`; values are basic
/// strings (`\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX` escapes) or decimal integers. Anything else is
/// an error naming the line, so a typo never silently drops a device.
public enum AddressBookFormat {
    public static func parse(_ text: String, path: String) throws(AddressBookError) -> AddressBook {
        func corrupt(_ line: Int?, _ detail: String) -> AddressBookError { .corrupt(path: path, line: line, detail: detail) }
        var schema: Int?
        var book = AddressBook()
        struct Pending { var name: String; var line: Int; var fields: [String: (Value, Int)] = [:] }
        var current: Pending?

        func finish(_ pending: Pending?) throws(AddressBookError) {
            guard let pending else { return }
            guard let (onionValue, onionLine) = pending.fields["onion"] else {
                throw corrupt(pending.line, "device '\(pending.name)' has no onion = \"…\" line")
            }
            guard case let .string(onionText) = onionValue else { throw corrupt(onionLine, "onion must be a string") }
            let address: OnionAddress
            do { address = try OnionAddress(onionText) } catch {
                throw corrupt(onionLine, "device '\(pending.name)': invalid onion address: \(error)")
            }
            var entry = DeviceEntry(name: pending.name, address: address)
            if let (value, line) = pending.fields["port"] {
                guard case let .integer(port) = value, (1...65535).contains(port) else {
                    throw corrupt(line, "port must be an integer from 1 to 65535")
                }
                entry.port = UInt16(port)
            }
            if let (value, line) = pending.fields["kind"] {
                guard case let .string(text) = value, let kind = DeviceKind(rawValue: text) else {
                    throw corrupt(line, "kind must be one of \(DeviceKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
                }
                entry.kind = kind
            }
            if let (value, line) = pending.fields["notes"] {
                guard case let .string(text) = value else { throw corrupt(line, "notes must be a string") }
                entry.notes = text
            }
            do { try book.add(entry) } catch {
                throw corrupt(pending.line, "\(error)")
            }
        }

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard schema != nil else { throw corrupt(number, "the file must start with schema = \(AddressBook.schema)") }
                let header = stripComment(line)
                guard header.hasSuffix("]"), !header.hasPrefix("[[") else { throw corrupt(number, "malformed table header") }
                let inner = header.dropFirst().dropLast().trimmingBlanks()
                guard inner.hasPrefix("devices.") else {
                    throw corrupt(number, "unknown table [\(inner)]; only [devices.NAME] tables are allowed")
                }
                let name = String(inner.dropFirst("devices.".count))
                guard DeviceEntry.isValidName(name) else {
                    throw corrupt(number, "'\(name)' is not a valid device name (1–64 of A–Z a–z 0–9 _ -)")
                }
                try finish(current)
                current = Pending(name: name, line: number)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw corrupt(number, "expected key = value") }
            let key = line[..<equals].trimmingBlanks()
            let value: Value
            do { value = try parseValue(line[line.index(after: equals)...]) } catch let error as ValueError {
                throw corrupt(number, "\(key): \(error.detail)")
            } catch { throw corrupt(number, "\(error)") }
            if var pending = current {
                guard ["onion", "port", "kind", "notes"].contains(key) else {
                    throw corrupt(number, "unknown key '\(key)' in [devices.\(pending.name)] (known: onion, port, kind, notes)")
                }
                guard pending.fields[key] == nil else { throw corrupt(number, "'\(key)' is given twice for '\(pending.name)'") }
                pending.fields[key] = (value, number)
                current = pending
            } else {
                guard key == "schema" else { throw corrupt(number, "unknown top-level key '\(key)'") }
                guard schema == nil else { throw corrupt(number, "schema is given twice") }
                guard case let .integer(found) = value, found >= 1 else { throw corrupt(number, "schema must be a positive integer") }
                if found > AddressBook.schema {
                    throw .newerSchema(path: path, line: number, found: found, supported: AddressBook.schema)
                }
                schema = found
            }
        }
        guard schema != nil else {
            if text.allSatisfy({ $0.isWhitespace }) { return AddressBook() }
            throw corrupt(nil, "no schema = \(AddressBook.schema) line")
        }
        try finish(current)
        return book
    }

    public static func serialize(_ book: AddressBook) -> String {
        var text = """
            # onionctl address book. Edited by `onionctl add/remove/rename`; hand edits are fine while no
            # onionctl runs. Client-authorization keys are in keys/<name>.auth_private (tor's format).
            schema = \(AddressBook.schema)

            """
        for entry in book.devices {
            text += "\n[devices.\(entry.name)]\n"
            text += "onion = \(quote(entry.address.description))\n"
            text += "port = \(entry.port)\n"
            text += "kind = \(quote(entry.kind.rawValue))\n"
            if !entry.notes.isEmpty { text += "notes = \(quote(entry.notes))\n" }
        }
        return text
    }

    // MARK: Values

    enum Value: Equatable { case string(String), integer(Int) }
    struct ValueError: Error { var detail: String }

    private static func stripComment(_ line: Substring) -> String {
        // Only for headers (no strings inside): drop a trailing comment.
        let cut = line.firstIndex(of: "#").map { line[..<$0] } ?? line
        return cut.trimmingBlanks()
    }

    static func parseValue(_ raw: Substring) throws -> Value {
        let text = raw.drop { $0 == " " || $0 == "\t" }
        guard let first = text.first else { throw ValueError(detail: "missing value") }
        var rest: Substring
        let value: Value
        if first == "\"" {
            var result = ""
            var scalars = text.unicodeScalars.dropFirst()
            var closed = false
            while let scalar = scalars.popFirst() {
                if scalar == "\"" { closed = true; break }
                if scalar == "\\" {
                    guard let escape = scalars.popFirst() else { break }
                    switch escape {
                    case "\"": result.unicodeScalars.append("\"")
                    case "\\": result.unicodeScalars.append("\\")
                    case "n": result.unicodeScalars.append("\n")
                    case "t": result.unicodeScalars.append("\t")
                    case "r": result.unicodeScalars.append("\r")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        guard hex.count == 4, let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                            throw ValueError(detail: "bad \\u escape")
                        }
                        scalars = scalars.dropFirst(4)
                        result.unicodeScalars.append(decoded)
                    default: throw ValueError(detail: "unknown escape \\\(escape)")
                    }
                } else if scalar.value < 0x20 && scalar != "\t" {
                    throw ValueError(detail: "control character in a string")
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
            guard closed else { throw ValueError(detail: "unterminated string") }
            value = .string(result)
            rest = Substring(String(String.UnicodeScalarView(scalars)))
        } else {
            let end = text.firstIndex { $0 == " " || $0 == "\t" || $0 == "#" } ?? text.endIndex
            let token = text[..<end]
            guard let number = Int(token), token.first != "+" || token.count > 1 else {
                throw ValueError(detail: "expected a \"string\" or an integer, found '\(token.prefix(40))'")
            }
            value = .integer(number)
            rest = text[end...]
        }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw ValueError(detail: "unexpected text after the value: '\(rest.prefix(40))'")
        }
        return value
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += scalar.unicodeEscape(uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
