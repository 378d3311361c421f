import FoundationEssentials
import OnionService
import TorDirectory
import TorCircuits
#if canImport(Glibc)
import Glibc
#endif

/// The address book on disk, in `$XDG_CONFIG_HOME/onionctl/` (default `~/.config/onionctl/`):
///
/// ```
/// onionctl/                  0700
///   devices.toml             0600  the devices (``AddressBookFormat``)
///   keys/                    0700  usable as tor's ClientOnionAuthDir
///     <name>.auth_private    0600  <56-char address>:descriptor:x25519:<BASE32 KEY>
///   .lock                    0600  flock(2) taken for every change
/// ```
///
/// Every change runs under an exclusive `flock` on `.lock`, re-reads the files under it, and
/// replaces files atomically (temporary file, fsync, rename, directory fsync), so concurrent
/// onionctl processes lose nothing. A file that cannot be parsed (or has a newer schema) makes
/// every change fail and is never overwritten.
public struct AddressBookStore: Sendable {
    public let directory: URL
    /// How long a change waits for another process's lock.
    public var lockTimeout: Double = 15

    public var bookFile: URL { directory.appendingPathComponent("devices.toml") }
    public var keysDirectory: URL { directory.appendingPathComponent("keys") }
    public var lockFile: URL { directory.appendingPathComponent(".lock") }

    public init(directory: URL) { self.directory = directory }

    /// `$XDG_CONFIG_HOME/onionctl` (absolute paths only, as the XDG spec says), else `~/.config/onionctl`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> AddressBookStore {
        if let dir = environment["ONIONCTL_CONFIG_DIR"], dir.hasPrefix("/") {
            return AddressBookStore(directory: URL(fileURLWithPath: dir))
        }
        let base: URL
        if let value = environment["XDG_CONFIG_HOME"], value.hasPrefix("/") {
            base = URL(fileURLWithPath: value)
        } else {
            base = URL(fileURLWithPath: environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path).appendingPathComponent(".config")
        }
        return AddressBookStore(directory: base.appendingPathComponent("onionctl"))
    }

    public func keyFile(for name: String) -> URL { keysDirectory.appendingPathComponent("\(name).auth_private") }

    // MARK: Reading

    /// The current address book (empty when the file does not exist yet). Reads need no lock:
    /// files are only ever replaced by rename, so a reader sees the old or the new version.
    public func load() throws(AddressBookError) -> AddressBook {
        let text: String
        do {
            let data = try Data(contentsOf: bookFile)
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw AddressBookError.corrupt(path: bookFile.path, line: nil, detail: "not UTF-8 text")
            }
            text = decoded
        } catch let error as AddressBookError {
            throw error
        } catch {
            if !FileManager.default.fileExists(atPath: bookFile.path) { return AddressBook() }
            throw .io(path: bookFile.path, detail: "cannot read: \(errorDetail(error))")
        }
        return try AddressBookFormat.parse(text, path: bookFile.path)
    }

    /// The client-authorization key stored for `entry`, if any. A key file for another address
    /// is an error (it would never work). A key file or key folder that group or others can read
    /// or write is refused (``AddressBookError/unprotectedKey(_:)``) before anything is read from
    /// it, as OpenSSH refuses an unprotected private key; the address book itself is untouched.
    public func key(for entry: DeviceEntry) throws(AddressBookError) -> ClientAuthKey? {
        let url = keyFile(for: entry.name)
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }  // no key file: no key
        let text: String
        do throws(KeyFileAccess.Failure) {
            try KeyFileAccess.checkFolder(keysDirectory.path)
            guard let read = try KeyFileAccess.read(url.path) else { return nil }
            text = read
        } catch {
            switch error {
            case let .unprotected(error): throw .unprotectedKey(error)
            case let .unreadable(path, detail): throw .keyFile(path: path, detail: detail)
            }
        }
        let keys: [ClientAuthKey]
        do { keys = try ClientAuthDirectory.parseFile(text) } catch {
            throw .keyFile(path: url.path, detail: "\(error)")
        }
        guard let key = keys.first(where: { $0.address == entry.address }) else {
            throw .keyFile(path: url.path, detail: "the key is for \(keys[0].address), not for \(entry.name) (\(entry.address))")
        }
        return key
    }

    /// Keys of every device that has one (devices whose key file is broken are reported in `problems`).
    public func keys(for book: AddressBook) -> (keys: [String: ClientAuthKey], problems: [AddressBookError]) {
        var keys: [String: ClientAuthKey] = [:]
        var problems: [AddressBookError] = []
        for entry in book.devices {
            do { if let key = try key(for: entry) { keys[entry.name] = key } } catch { problems.append(error) }
        }
        return (keys, problems)
    }

    // MARK: Changing

    /// What a change may do besides editing the book; applied after `body` succeeds, still under
    /// the lock: new key files first, then the book, then deletions (a crash leaves at worst an
    /// unused key file, never a device whose key is lost).
    public final class Changes {
        var keyWrites: [(name: String, key: ClientAuthKey)] = []
        var keyMoves: [(from: String, to: String)] = []
        var keyDeletes: [String] = []
        var keyBackups: [(name: String, backup: URL)] = []
        let store: AddressBookStore

        init(store: AddressBookStore) { self.store = store }

        public func setKey(_ key: ClientAuthKey, for name: String) { keyWrites.append((name, key)) }
        public func moveKey(from old: String, to new: String) { keyMoves.append((old, new)) }
        public func deleteKey(for name: String) { keyDeletes.append(name) }
        /// Keeps the current key file of `name` as a backup beside it before it is replaced (a hard
        /// link made under the lock; its name does not end in `.auth_private`, so neither tor nor
        /// onionctl loads it). Returns the backup's path.
        public func backupKey(for name: String, at date: Date = Date()) -> URL {
            var seconds = time_t(date.timeIntervalSince1970)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            var buffer = [CChar](repeating: 0, count: 32)
            strftime(&buffer, buffer.count, "%Y%m%dT%H%M%SZ", &parts)
            let stamp = String(cString: buffer)
            var url = store.keysDirectory.appendingPathComponent("\(name).auth_private.replaced-\(stamp)")
            var counter = 2
            while FileManager.default.fileExists(atPath: url.path) || keyBackups.contains(where: { $0.backup == url }) {
                url = store.keysDirectory.appendingPathComponent("\(name).auth_private.replaced-\(stamp)-\(counter)")
                counter += 1
            }
            keyBackups.append((name, url))
            return url
        }
        public func hasKey(_ name: String) -> Bool {
            if keyWrites.contains(where: { $0.name == name }) { return true }
            return FileManager.default.fileExists(atPath: store.keyFile(for: name).path)
        }
    }

    /// Runs `body` on the freshly re-read address book under the exclusive lock and writes the
    /// result atomically. Nothing is written when `body` throws or the file cannot be parsed.
    @discardableResult
    public func modify<T>(_ body: (inout AddressBook, Changes) throws -> T) throws -> T {
        try ensureDirectory(directory)
        let lock = try FileLock(path: lockFile.path, timeout: lockTimeout)
        defer { lock.unlock() }
        let original = try load()
        var book = original
        let changes = Changes(store: self)
        let result = try body(&book, changes)
        if !changes.keyWrites.isEmpty || !changes.keyMoves.isEmpty { try ensureDirectory(keysDirectory) }
        for (name, backup) in changes.keyBackups {
            let current = keyFile(for: name)
            guard link(current.path, backup.path) == 0 || errno == ENOENT else {
                throw AddressBookError.io(path: backup.path, detail: "cannot keep the old key as a backup: \(String(cString: strerror(errno))); nothing was replaced")
            }
            syncDirectory(keysDirectory)
        }
        for (name, key) in changes.keyWrites {
            try write(Data((key.clientLine + "\n").utf8), to: keyFile(for: name))
        }
        for (old, new) in changes.keyMoves where old != new {
            let from = keyFile(for: old), to = keyFile(for: new)
            if FileManager.default.fileExists(atPath: from.path) {
                guard rename(from.path, to.path) == 0 else {
                    throw AddressBookError.io(path: from.path, detail: "cannot rename to \(to.lastPathComponent): \(String(cString: strerror(errno)))")
                }
                syncDirectory(keysDirectory)
            } else {
                unlink(to.path)  // a stale key file must not attach itself to the renamed device
            }
        }
        if book != original || !FileManager.default.fileExists(atPath: bookFile.path) {
            try write(Data(AddressBookFormat.serialize(book).utf8), to: bookFile)
        }
        for name in changes.keyDeletes {
            let url = keyFile(for: name)
            if unlink(url.path) != 0 && errno != ENOENT {
                throw AddressBookError.io(path: url.path, detail: "cannot delete: \(String(cString: strerror(errno)))")
            }
            syncDirectory(keysDirectory)
        }
        return result
    }

    private func write(_ data: Data, to url: URL) throws {
        do { try AtomicFile.write(data, to: url, permissions: 0o600) } catch {
            throw AddressBookError.io(path: url.path, detail: "cannot write: \(errorDetail(error))")
        }
    }

    private func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Creates `url` (and parents) and makes it 0700: it holds secrets.
    func ensureDirectory(_ url: URL) throws {
        var info = stat()
        if stat(url.path, &info) != 0 {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw AddressBookError.io(path: url.path, detail: "cannot create: \(errorDetail(error))")
            }
            if mkdir(url.path, 0o700) != 0 && errno != EEXIST {
                throw AddressBookError.io(path: url.path, detail: "cannot create: \(String(cString: strerror(errno)))")
            }
            guard stat(url.path, &info) == 0 else { throw AddressBookError.io(path: url.path, detail: "cannot create") }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw AddressBookError.io(path: url.path, detail: "is not a folder") }
        if info.st_mode & 0o077 != 0 { _ = chmod(url.path, 0o700) }
    }
}

/// An exclusive `flock(2)` on a lock file, waited for at most `timeout` seconds.
final class FileLock {
    private var fd: Int32

    init(path: String, timeout: Double) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AddressBookError.io(path: path, detail: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var delay: UInt32 = 2_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(fd)
                throw AddressBookError.io(path: path, detail: "cannot lock: \(String(cString: strerror(failure)))")
            }
            guard Date() < deadline else {
                close(fd)
                throw AddressBookError.lockTimeout(path: path, seconds: timeout)
            }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
    }

    func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
