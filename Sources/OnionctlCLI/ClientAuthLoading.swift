import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import TorCrypto

/// Loads client-authorization keys from a tor `.auth_private` file or a ClientOnionAuthDir
/// (`fetch --auth-private`, `import`). A folder that group or others can use, or any key file in
/// it that they can read or write, is refused with ``UnprotectedKeyError`` before a key is read
/// (stricter than C tor, which silently chmods its ClientOnionAuthDir to 0700 and does not check
/// the files: onionctl does not change permissions of files it does not own; docs/reliability.md).
enum ClientAuthLoading {
    /// One `.auth_private` file and what it held.
    struct Source {
        var name: String
        var path: String
        /// The keys, or why the file is unusable (``UnprotectedKeyError`` if it was loosened meanwhile).
        var keys: Result<[ClientAuthKey], any Error>
    }

    /// Every `.auth_private` source at `path` (a file, or the files of a folder, sorted by name).
    static func read(_ path: String) throws -> (isFolder: Bool, sources: [Source]) {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError.usage("no such key file or folder: \(path)")
        }
        guard isDirectory else {
            let keys = try parse(path, try readProtected(path))
            return (false, [Source(name: URL(fileURLWithPath: path).lastPathComponent, path: path, keys: .success(keys))])
        }
        try unprotectedToError { () throws(KeyFileAccess.Failure) in _ = try KeyFileAccess.checkFolder(path) }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0.hasSuffix(".auth_private") }.sorted()
        let files = names.map { (name: $0, path: URL(fileURLWithPath: path).appendingPathComponent($0).path) }
        // Every file's permissions first: one unprotected key refuses the whole folder, unread.
        for file in files { try unprotectedToError { () throws(KeyFileAccess.Failure) in try KeyFileAccess.checkFile(file.path) } }
        let sources = files.map { file in
            Source(name: file.name, path: file.path, keys: Result { try parse(file.path, try readProtected(file.path)) })
        }
        return (true, sources)
    }

    /// The keys by onion address, for `fetch --auth-private`; unusable files of a folder are warned about.
    static func load(_ path: String) throws -> [OnionAddress: X25519PrivateKey] {
        var keys: [OnionAddress: X25519PrivateKey] = [:]
        for source in try read(path).sources {
            switch source.keys {
            case let .success(found): for key in found where keys[key.address] == nil { keys[key.address] = key.privateKey }
            case let .failure(error):
                if error is UnprotectedKeyError { throw error }
                warn("\(error) (skipped)")
            }
        }
        return keys
    }

    /// The text of a key file whose permissions were checked on the descriptor it is read from.
    private static func readProtected(_ path: String) throws -> String {
        var text: String?
        try unprotectedToError { () throws(KeyFileAccess.Failure) in text = try KeyFileAccess.read(path) }
        guard let text else { throw CLIError.usage("no such key file: \(path)") }
        return text
    }

    private static func parse(_ path: String, _ text: String) throws -> [ClientAuthKey] {
        do { return try ClientAuthDirectory.parseFile(text) } catch { throw CLIError.usage("\(path): \(error)") }
    }

    /// Runs `body`, throwing ``UnprotectedKeyError`` itself (exit code 10) and other failures as usage errors.
    private static func unprotectedToError(_ body: () throws(KeyFileAccess.Failure) -> Void) throws {
        do { try body() } catch {
            switch error {
            case let .unprotected(refused): throw refused
            case .unreadable: throw CLIError.usage(error.description)
            }
        }
    }
}
