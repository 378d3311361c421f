import FoundationEssentials
import OnionService

/// What a device speaks, which decides the commands that apply to it.
public enum DeviceKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// onionctl's thermostat JSON API (`/api/v1/thermostat`, docs/device-api.md).
    case thermostat
    /// code-me-not's GPIO `/links` API.
    case pins
    /// Anything else served over HTTP (only `fetch`/`get NAME /path` and `status` apply).
    case http

    public var description: String { rawValue }
}

/// One device of the address book. The client-authorization key is not part of it: keys live in
/// their own files (see ``AddressBookStore``).
public struct DeviceEntry: Sendable, Equatable, Codable {
    public var name: String
    public var address: OnionAddress
    public var port: UInt16
    public var kind: DeviceKind
    public var notes: String

    public init(name: String, address: OnionAddress, port: UInt16 = 80, kind: DeviceKind = .http, notes: String = "") {
        self.name = name
        self.address = address
        self.port = port
        self.kind = kind
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey { case name, onion, port, kind, notes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        address = try OnionAddress(try container.decode(String.self, forKey: .onion))
        port = try container.decode(UInt16.self, forKey: .port)
        kind = try container.decode(DeviceKind.self, forKey: .kind)
        notes = try container.decode(String.self, forKey: .notes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address.description, forKey: .onion)
        try container.encode(port, forKey: .port)
        try container.encode(kind, forKey: .kind)
        try container.encode(notes, forKey: .notes)
    }

    /// Device names double as file names (`keys/<name>.auth_private`) and table names in
    /// `devices.toml`: 1–64 of `A–Z a–z 0–9 _ -`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 64 else { return false }
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.isASCIIAlphanumeric || scalar == "_" || scalar == "-")
        }
        return allowed(first) && first != "_" && first != "-" && name.unicodeScalars.allSatisfy(allowed)
    }

    /// A valid name made from arbitrary text (e.g. a key file's name), or nil if nothing is left.
    public static func sanitizedName(_ text: String) -> String? {
        var result = String(text.unicodeScalars.map { scalar -> Character in
            (scalar.isASCIIAlphanumeric || scalar == "_" || scalar == "-") ? Character(scalar) : "-"
        })
        while let first = result.first, first == "-" || first == "_" { result.removeFirst() }
        result = String(result.prefix(64))
        return isValidName(result) ? result : nil
    }
}

/// The devices, in the order the user added them.
public struct AddressBook: Sendable, Equatable {
    public static let schema = 1
    public var devices: [DeviceEntry]

    public init(devices: [DeviceEntry] = []) { self.devices = devices }

    public func device(named name: String) -> DeviceEntry? { devices.first { $0.name == name } }
    public func device(for address: OnionAddress) -> DeviceEntry? { devices.first { $0.address == address } }

    /// The device called `name`, or ``AddressBookError/noSuchDevice(_:known:)``.
    public func require(_ name: String) throws(AddressBookError) -> DeviceEntry {
        guard let entry = device(named: name) else { throw .noSuchDevice(name, known: devices.map(\.name)) }
        return entry
    }

    /// Adds a device; names and onion addresses are unique.
    public mutating func add(_ entry: DeviceEntry) throws(AddressBookError) {
        guard DeviceEntry.isValidName(entry.name) else { throw .invalidName(entry.name) }
        if device(named: entry.name) != nil { throw .duplicateName(entry.name) }
        if let other = device(for: entry.address) { throw .duplicateAddress(entry.address.description, existing: other.name) }
        devices.append(entry)
    }

    @discardableResult
    public mutating func remove(_ name: String) throws(AddressBookError) -> DeviceEntry {
        let entry = try require(name)
        devices.removeAll { $0.name == name }
        return entry
    }

    public mutating func rename(_ old: String, to new: String) throws(AddressBookError) {
        _ = try require(old)
        guard DeviceEntry.isValidName(new) else { throw .invalidName(new) }
        if old != new, device(named: new) != nil { throw .duplicateName(new) }
        if let index = devices.firstIndex(where: { $0.name == old }) { devices[index].name = new }
    }
}

/// Address-book and key-file problems, each naming the file (and line) involved.
public enum AddressBookError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchDevice(String, known: [String])
    case invalidName(String)
    case duplicateName(String)
    case duplicateAddress(String, existing: String)
    /// The file cannot be parsed; it is left exactly as it is.
    case corrupt(path: String, line: Int?, detail: String)
    /// The file was written by a newer onionctl; it is left exactly as it is.
    case newerSchema(path: String, line: Int, found: Int, supported: Int)
    case keyFile(path: String, detail: String)
    /// A key file or the key folder is readable or writable by group or others: refused, not read.
    case unprotectedKey(UnprotectedKeyError)
    case lockTimeout(path: String, seconds: Double)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case let .noSuchDevice(name, known):
            let list = known.isEmpty ? "the address book is empty (onionctl add NAME ONION)" : "known devices: \(known.joined(separator: ", "))"
            return "no device named '\(name)' in the address book; \(list)"
        case let .invalidName(name):
            return "'\(name)' is not a valid device name: use 1–64 letters, digits, '_' or '-', starting with a letter or digit"
        case let .duplicateName(name): return "a device named '\(name)' already exists"
        case let .duplicateAddress(onion, existing): return "\(onion) is already in the address book as '\(existing)'"
        case let .corrupt(path, line, detail):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(detail). The file was not changed; fix it by hand or move it away."
        case let .newerSchema(path, line, found, supported):
            return "\(path):\(line): schema \(found) is newer than this onionctl understands (\(supported)); upgrade onionctl. The file was not changed."
        case let .keyFile(path, detail): return "\(path): \(detail)"
        case let .unprotectedKey(error): return error.description
        case let .lockTimeout(path, seconds):
            return "another onionctl has held \(path) for \(Int(seconds)) s; try again"
        case let .io(path, detail): return "\(path): \(detail)"
        }
    }

    /// A short category for `--json` output.
    public var kind: String {
        switch self {
        case .noSuchDevice: return "no-such-device"
        case .invalidName, .duplicateName, .duplicateAddress: return "invalid-input"
        case .corrupt: return "corrupt-file"
        case .newerSchema: return "newer-schema"
        case .keyFile: return "key-file"
        case .unprotectedKey: return "unprotected-key"
        case .lockTimeout: return "lock-timeout"
        case .io: return "io"
        }
    }
}
