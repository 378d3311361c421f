import Foundation
import OnionctlCLI

/// One change the soak driver asked the dashboard for, and what the dashboard told the user.
struct SoakChange: Codable, Sendable {
    var id: Int
    var device: String
    /// `setpoint`, `mode` or `pin`.
    var field: String
    /// The value asked for: a setpoint ("21.5"), a mode ("heat"), or "INDEX=on|off" for a pin.
    var value: String
    var issued: Double
    var finished: Double?
    /// `confirmed` (the dashboard said the device confirmed it), `failed` (it said it was not
    /// confirmed, with `message`), or `no-answer` (nothing within the driver's bound: a bug).
    var outcome: String?
    var message: String?
}

/// One poll outcome as the dashboard counted it.
struct SoakReadEvent: Codable, Sendable {
    var device: String
    var unix: Double
    var answered: Bool
    var reason: String?
    /// The problem the dashboard showed for the device when the failure was counted.
    var message: String? = nil
}

/// Appends JSON lines to a file (one writer per file, from the driver's actor).
final class SoakJSONLines: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw SoakFailure("cannot write \(path)")
        }
        self.handle = handle
    }

    func write<T: Encodable>(_ value: T) {
        guard let data = try? encoder.encode(value) else { return }
        lock.lock()
        defer { lock.unlock() }
        handle.write(data + Data("\n".utf8))
    }

    /// Writes already-encoded JSON as one line.
    func writeRaw(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        handle.write(data + Data("\n".utf8))
    }
}

struct SoakFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
