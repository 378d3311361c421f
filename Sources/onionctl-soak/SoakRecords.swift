import Foundation
import OnionctlCLI
#if canImport(Glibc)
import Glibc
#endif

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

/// The text of a small file, read with open/read. Not `String(contentsOfFile:)`: FoundationEssentials
/// (Swift 6.3.1, Linux) leaks the 4 kB buffer it allocates for a file whose size is 0 each time one
/// is read, and the driver reads `fault-now` (empty between faults) before every change — that was
/// the 1.8 MB the first hour's RSS grew by (docs/reliability.md, "Soak"). nil if it cannot be opened.
func readSmallFile(_ path: String, limit: Int = 1 << 20) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < limit {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
