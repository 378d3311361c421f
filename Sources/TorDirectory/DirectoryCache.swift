import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// On-disk cache of directory documents for one network, under a caller-chosen directory
/// (normally `$XDG_CACHE_HOME/onionctl/<network-id>`):
///
/// - `cached-consensus`: the microdesc consensus text;
/// - `cached-certs`: authority certificates, concatenated;
/// - `cached-microdescs`: microdescriptors, concatenated.
///
/// Writes are atomic (temporary file, `fsync`, `rename`). Nothing loaded is trusted: the
/// consensus is verified again, certificates re-checked, microdescriptors re-hashed.
public struct DirectoryCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$XDG_CACHE_HOME/onionctl/<networkID>`, falling back to `$HOME/.cache/onionctl/<networkID>`
    /// (XDG Base Directory rules: a relative `XDG_CACHE_HOME` is ignored).
    public static func defaultDirectory(networkID: String,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache", isDirectory: true)
        }
        return base.appendingPathComponent("onionctl", isDirectory: true).appendingPathComponent(networkID, isDirectory: true)
    }

    static let consensusFile = "cached-consensus"
    static let certificatesFile = "cached-certs"
    static let microdescriptorsFile = "cached-microdescs"

    // MARK: Consensus

    /// Stores the consensus text as received.
    public func storeConsensus(_ consensus: Consensus) throws { try write(consensus.text, to: Self.consensusFile) }

    /// Loads the cached consensus and verifies it again; `nil` when there is none.
    /// Throws (``DirectoryCacheError``) when the file is unreadable, malformed or fails verification.
    public func loadConsensus(verifier: ConsensusVerifier, now: Date, liveSlack: TimeInterval = 0)
        throws -> (consensus: Consensus, verification: ConsensusVerification)? {
        guard let bytes = try read(Self.consensusFile) else { return nil }
        let consensus: Consensus
        do { consensus = try Consensus(bytes) } catch {
            throw DirectoryCacheError.invalid(file: Self.consensusFile, reason: "\(error)")
        }
        do {
            let verification = try verifier.verify(consensus, now: now, liveSlack: liveSlack)
            return (consensus, verification)
        } catch {
            throw DirectoryCacheError.invalid(file: Self.consensusFile, reason: "\(error)")
        }
    }

    /// The cached consensus's text if its digest as signed is `signedDigest` (the consensus the
    /// client holds without its text); nil if the file is missing or holds another consensus.
    public func consensusText(signedDigest: [UInt8]) -> [UInt8]? {
        guard let text = try? read(Self.consensusFile), ConsensusDiff.digestAsSigned(text: text) == signedDigest else { return nil }
        return text
    }

    // MARK: Certificates

    /// Stores `certificates` (replacing the cached set).
    public func storeCertificates(_ certificates: [AuthorityCertificate]) throws {
        try write(certificates.flatMap(\.text), to: Self.certificatesFile)
    }

    /// Loads cached certificates that verify for the `trusted` authorities at `now`; the others
    /// are returned in `rejected` with the reason.
    public func loadCertificates(trusted: [DirAuthority], now: Date) throws
        -> (valid: [AuthorityCertificate], rejected: [String]) {
        guard let bytes = try read(Self.certificatesFile) else { return ([], []) }
        let certificates: [AuthorityCertificate]
        do { certificates = try AuthorityCertificate.parseAll(bytes) } catch {
            throw DirectoryCacheError.invalid(file: Self.certificatesFile, reason: "\(error)")
        }
        let identities = trusted.filter(\.isV3).compactMap(\.v3Identity)
        var valid = [AuthorityCertificate](), rejected = [String]()
        for certificate in certificates {
            do {
                try certificate.verify(trustedIdentities: identities, now: now)
                valid.append(certificate)
            } catch {
                rejected.append("\(error)")
            }
        }
        return (valid, rejected)
    }

    // MARK: Microdescriptors

    /// Replaces the cached microdescriptors with exactly `microdescriptors` (those of the
    /// consensus in use), written one after another: neither the old file is read nor one buffer
    /// of all their text made (a public network has ~8,000 of them).
    public func replaceMicrodescriptors(_ microdescriptors: some Sequence<Microdescriptor>) throws {
        try write(microdescriptors.lazy.map(\.text), to: Self.microdescriptorsFile)
    }

    /// Loads cached microdescriptors referenced by `consensus` and lists the digests still missing.
    /// Altered entries no longer hash to a wanted digest and so show up as missing.
    public func loadMicrodescriptors(for consensus: Consensus) throws
        -> (found: [Microdescriptor], missing: [[UInt8]]) {
        let wanted = consensus.routers.map(\.microdescriptorDigest)
        let wantedSet = Set(wanted)
        guard let bytes = try read(Self.microdescriptorsFile) else { return ([], Array(wantedSet).sorted(by: Self.less)) }
        let batch: MicrodescriptorBatch
        do { batch = try Microdescriptor.parseAll(bytes, wanted: wantedSet) } catch {
            return ([], Array(wantedSet).sorted(by: Self.less))
        }
        let found = batch.byDigest
        var seen = Set<[UInt8]>(), missing = [[UInt8]]()
        for digest in wanted where found[digest] == nil && seen.insert(digest).inserted { missing.append(digest) }
        return (Array(found.values).sorted { Self.less($0.digest, $1.digest) }, missing)
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    // MARK: Files

    /// Removes every cached file.
    public func clear() throws {
        for name in [Self.consensusFile, Self.certificatesFile, Self.microdescriptorsFile] {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        }
    }

    /// The bytes of `name`, read straight into one array of the file's size (no `Data` copy: a
    /// consensus is megabytes); nil if the file does not exist.
    func read(_ name: String) throws -> [UInt8]? {
        let path = directory.appendingPathComponent(name).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw DirectoryCacheError.io(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DirectoryCacheError.io(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = Glibc_read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = String(cString: strerror(errno)); return }
                if n == 0 { return }
                count += n
            }
        }
        if let failure { throw DirectoryCacheError.io(path: path, reason: failure) }
        return bytes
    }

    /// Atomically replaces `name` with `bytes`: write a temporary file, fsync it, rename it over
    /// the old one, then fsync the directory.
    func write(_ bytes: [UInt8], to name: String) throws { try write(CollectionOfOne(bytes), to: name) }

    /// Atomically replaces `name` with the concatenation of `pieces`, written one at a time.
    func write(_ pieces: some Sequence<[UInt8]>, to name: String) throws {
        let path = directory.appendingPathComponent(name).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DirectoryCacheError.io(path: directory.path, reason: "\(error)")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw DirectoryCacheError.io(path: temporary, reason: String(cString: strerror(errno))) }
        var ok = true
        var reason = ""
        for piece in pieces where ok {
            piece.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        ok = false; reason = String(cString: strerror(errno)); return
                    }
                    offset += n
                }
            }
        }
        if ok && fsync(fd) != 0 { ok = false; reason = String(cString: strerror(errno)) }
        close(fd)
        if ok && rename(temporary, path) != 0 { ok = false; reason = String(cString: strerror(errno)) }
        guard ok else {
            unlink(temporary)
            throw DirectoryCacheError.io(path: path, reason: reason)
        }
        let dirfd = open(directory.path, O_RDONLY)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }
}

/// POSIX `write`, named apart from this module's methods.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, pointer, count)
    #else
    return Darwin.write(fd, pointer, count)
    #endif
}

/// POSIX `read`, named apart from this module's methods.
@inline(__always)
private func Glibc_read(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, pointer, count)
    #else
    return Darwin.read(fd, pointer, count)
    #endif
}

/// Problems with the on-disk cache.
public enum DirectoryCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(path: String, reason: String)
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "cache file \(path): \(reason)"
        case let .invalid(file, reason): return "cached \(file) rejected: \(reason)"
        }
    }
}
