import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension AddressBookStore {
    /// Secret-bearing files or folders others can read or write, as sentences for a warning
    /// (OpenSSH's "unprotected private key file" check): folders must be 0700, key files 0600.
    public func insecurePermissions() -> [String] {
        var problems = [String]()
        func check(_ url: URL, allowed: mode_t, what: String) {
            var info = stat()
            guard lstat(url.path, &info) == 0 else { return }
            let mode = info.st_mode & 0o777
            if mode & ~allowed != 0 {
                problems.append("\(what) \(url.path) is accessible by others (mode \(String(mode, radix: 8))); "
                    + "run: chmod \(String(allowed, radix: 8)) \(url.path)")
            }
        }
        check(directory, allowed: 0o700, what: "folder")
        check(keysDirectory, allowed: 0o700, what: "key folder")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: keysDirectory.path)) ?? [])
            .map { keysDirectory.appendingPathComponent($0) }
        for file in files where file.pathExtension == "auth_private" {
            check(file, allowed: 0o600, what: "key file")
        }
        return problems
    }
}
