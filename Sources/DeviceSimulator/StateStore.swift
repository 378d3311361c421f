import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which device the simulator plays.
public enum DeviceKind: String, Codable, Sendable, CaseIterable {
    case thermostat
    case pins
}

/// The persisted state file: one JSON document holding the state of one device.
public struct DeviceStateFile: Codable, Equatable, Sendable {
    /// Format version of the file.
    public var format: Int
    public var kind: DeviceKind
    public var thermostat: ThermostatModel?
    public var pins: PinsModel?

    public init(thermostat: ThermostatModel) {
        format = 1
        kind = .thermostat
        self.thermostat = thermostat
        pins = nil
    }

    public init(pins: PinsModel) {
        format = 1
        kind = .pins
        thermostat = nil
        self.pins = pins
    }
}

/// Why the state file could not be read or written.
public enum StateStoreError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case wrongKind(path: String, found: DeviceKind, wanted: DeviceKind)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "Cannot read the state file \(path): \(reason)."
        case .corrupt(let path, let reason):
            return "The state file \(path) is not valid onion-device state (\(reason)); "
                + "it was left untouched. Fix or remove it, or pass another --state file."
        case .wrongKind(let path, let found, let wanted):
            return "The state file \(path) holds a \(found.rawValue) device, not a \(wanted.rawValue); "
                + "pass --kind \(found.rawValue) or another --state file."
        case .writeFailed(let path, let reason):
            return "Cannot save the state file \(path): \(reason)."
        }
    }
}

/// Loads and atomically saves a `DeviceStateFile` (temporary file in the same directory,
/// fsync, rename, fsync of the directory), so a crash leaves either the old or the new state.
public struct StateStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The stored state, or nil when the file does not exist.
    public func load() throws(StateStoreError) -> DeviceStateFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if data.isEmpty { throw .corrupt(path: path, reason: "the file is empty") }
        let file: DeviceStateFile
        do {
            file = try Self.decoder.decode(DeviceStateFile.self, from: data)
        } catch {
            throw .corrupt(path: path, reason: Self.describe(error))
        }
        guard file.format == 1 else { throw .corrupt(path: path, reason: "unknown format \(file.format)") }
        switch file.kind {
        case .thermostat where file.thermostat == nil,
             .pins where file.pins == nil:
            throw .corrupt(path: path, reason: "the \(file.kind.rawValue) section is missing")
        default:
            return file
        }
    }

    /// Writes `file` atomically.
    public func save(_ file: DeviceStateFile) throws(StateStoreError) {
        let data: Data
        do {
            data = try Self.encoder.encode(file)
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ action: String) -> StateStoreError {
            .writeFailed(path: path, reason: "\(action): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure("creating \(temporary)") }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        var error = ok ? nil : failure("writing")
        if ok, fsync(fd) != 0 { ok = false; error = failure("syncing") }
        close(fd)
        if ok, rename(temporary, path) != 0 { ok = false; error = failure("renaming") }
        guard ok else {
            unlink(temporary)
            throw error ?? .writeFailed(path: path, reason: "unknown error")
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "malformed JSON" + (context.codingPath.isEmpty ? "" : " at \(path(context.codingPath))")
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\"" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
