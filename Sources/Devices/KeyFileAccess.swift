import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A private key file or key folder that its group or other users can read or write, refused as
/// OpenSSH refuses an unprotected private key: nothing was read from it.
public struct UnprotectedKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder.
    public var path: String
    /// Its permission bits (e.g. `0o644`).
    public var mode: UInt32
    public var isFolder: Bool

    public init(path: String, mode: UInt32, isFolder: Bool) {
        self.path = path
        self.mode = mode
        self.isFolder = isFolder
    }

    /// The exact command that protects it: `chmod 600 FILE` or `chmod 700 DIR`.
    public var fixCommand: String { "chmod \(isFolder ? "700" : "600") \(Self.shellQuoted(path))" }

    public var description: String {
        let octal = "0" + String(mode & 0o777, radix: 8)
        return "key \(isFolder ? "folder" : "file") \(path) is accessible by group or others (mode \(octal)); "
            + "onionctl refuses unprotected private keys and read nothing from it. Fix it with: \(fixCommand)"
    }

    /// `path` as one shell word (single-quoted when it holds anything but safe characters).
    static func shellQuoted(_ path: String) -> String {
        let safe = path.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "/._-+,:@%".unicodeScalars.contains($0) }
        return safe && !path.isEmpty ? path : "'" + path.replacing("'", with: #"'\''"#) + "'"
    }
}

/// Reading private keys only from files and folders no one else can read: the permissions are
/// checked with `fstat` on the very descriptor that is then read (no window between check and
/// read), before a single byte is read. Key files must be 0600 or stricter, key folders 0700.
public enum KeyFileAccess {
    /// Why a key file or folder was not used.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Group or others can read or write it.
        case unprotected(UnprotectedKeyError)
        /// It cannot be opened or read, or is not a regular file / folder, or not UTF-8 text.
        case unreadable(path: String, detail: String)

        public var description: String {
            switch self {
            case let .unprotected(error): return error.description
            case let .unreadable(path, detail): return "\(path): \(detail)"
            }
        }
    }

    /// Largest key file read (a tor `.auth_private` line is about 110 bytes).
    public static let maxFileBytes = 64 << 10

    /// The text of the key file at `path`, or nil when there is no such file.
    public static func read(_ path: String) throws(Failure) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path: path, detail: "cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, detail: "cannot be inspected: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .unreadable(path: path, detail: "is not a regular file") }
        try requireProtected(path, mode: UInt32(info.st_mode), isFolder: false)
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(path: path, detail: "cannot be read: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > maxFileBytes { throw .unreadable(path: path, detail: "is larger than \(maxFileBytes) bytes; not a key file") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .unreadable(path: path, detail: "is not UTF-8 text") }
        return text
    }

    /// Checks that only the owner can use the key folder at `path`; false when there is no such folder.
    @discardableResult
    public static func checkFolder(_ path: String) throws(Failure) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            if errno == ENOTDIR { throw .unreadable(path: path, detail: "is not a folder") }
            throw .unreadable(path: path, detail: "cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, detail: "cannot be inspected: \(String(cString: strerror(errno)))")
        }
        try requireProtected(path, mode: UInt32(info.st_mode), isFolder: true)
        return true
    }

    /// Checks a key file's permissions without reading it.
    public static func checkFile(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(path: path, detail: "cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, detail: "cannot be inspected: \(String(cString: strerror(errno)))")
        }
        try requireProtected(path, mode: UInt32(info.st_mode), isFolder: false)
    }

    private static func requireProtected(_ path: String, mode: UInt32, isFolder: Bool) throws(Failure) {
        if mode & 0o077 != 0 { throw .unprotected(UnprotectedKeyError(path: path, mode: mode & 0o7777, isFolder: isFolder)) }
    }
}
