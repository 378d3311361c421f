import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import TorProto

/// The client's entry guards, persisted so every start uses the same few first hops
/// (guard-spec, simplified): a small sampled set, used in order, with failures remembered for a while.
public actor GuardSet {
    /// One sampled guard as stored on disk.
    public struct Entry: Codable, Sendable, Equatable {
        public var rsaIdentity: String
        public var nickname: String
        public var addedAt: Date
        public var lastFailure: Date?
    }

    private struct File: Codable { var version = 1; var guards: [Entry] }

    public static let sampleSize = 3
    /// How long a failed guard is skipped while another is available.
    public static let retryAfter: TimeInterval = 120

    private let fileURL: URL?
    public private(set) var entries: [Entry]

    /// - Parameter fileURL: where to persist the set (`nil` keeps it in memory).
    public init(fileURL: URL?) {
        self.fileURL = fileURL
        if let fileURL, let data = try? Data(contentsOf: fileURL),
           let file = try? JSONDecoder.iso.decode(File.self, from: data), file.version == 1 {
            entries = file.guards
        } else {
            entries = []
        }
    }

    /// Guards to try, best first, after dropping any that left the consensus and topping the
    /// sample up from `directory`.
    public func candidates(in directory: NetDirectory, now: Date = Date()) -> [Relay] {
        let usable = directory.relays.filter { $0.flags.contains(.guard) && !$0.flags.contains(.middleOnly) }
        let byID = Dictionary(usable.map { (hexString($0.rsaIdentity), $0) }, uniquingKeysWith: { a, _ in a })
        let before = entries
        entries.removeAll { byID[$0.rsaIdentity] == nil }
        var selector = PathSelector(directory: directory)
        while entries.count < Self.sampleSize {
            let chosen = entries.compactMap { byID[$0.rsaIdentity] }
            selector.avoid = Set(chosen.map(\.rsaIdentity))
            guard let relay = try? selector.pick(.guard, requiring: [.guard], excluding: []),
                  !entries.contains(where: { $0.rsaIdentity == hexString(relay.rsaIdentity) }) else { break }
            entries.append(Entry(rsaIdentity: hexString(relay.rsaIdentity), nickname: relay.nickname, addedAt: now))
        }
        if entries != before { save() }
        let ordered = entries.sorted { a, b in
            let aDown = a.lastFailure.map { now.timeIntervalSince($0) < Self.retryAfter } ?? false
            let bDown = b.lastFailure.map { now.timeIntervalSince($0) < Self.retryAfter } ?? false
            return !aDown && bDown
        }
        return ordered.compactMap { byID[$0.rsaIdentity] }
    }

    public func markFailed(_ relay: Relay, now: Date = Date()) {
        guard let index = entries.firstIndex(where: { $0.rsaIdentity == hexString(relay.rsaIdentity) }) else { return }
        entries[index].lastFailure = now
        save()
    }

    public func markSucceeded(_ relay: Relay) {
        guard let index = entries.firstIndex(where: { $0.rsaIdentity == hexString(relay.rsaIdentity) }),
              entries[index].lastFailure != nil else { return }
        entries[index].lastFailure = nil
        save()
    }

    private func save() {
        guard let fileURL else { return }
        guard let data = try? JSONEncoder.iso.encode(File(guards: entries)) else { return }
        try? FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: fileURL)
    }
}

extension JSONDecoder {
    static var iso: JSONDecoder { let d = JSONDecoder(); d.dateDecodingStrategy = .iso8601; return d }
}

extension JSONEncoder {
    static var iso: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }
}

/// Atomic file replacement: write a temporary file beside the target, fsync, rename.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL, permissions: Int16 = 0o600) throws {
        let directory = url.deletingLastPathComponent()
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: ["NSFilePath": temp.path]) }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp.path, url.path) == 0 else {
            unlink(temp.path)
            throw CocoaError(.fileWriteUnknown, userInfo: ["NSFilePath": url.path])
        }
        let dirFD = open(directory.path, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }
}
