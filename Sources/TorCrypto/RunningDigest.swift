import COpenSSL

/// A running digest whose state persists across updates: the tor1 SHA-1 relay digests and
/// the onion-service SHA3-256 relay digests (one per direction per hop).
///
/// Not safe for concurrent use from several threads; each instance belongs to one circuit
/// hop and direction. `@unchecked Sendable` so it can move between isolation domains.
public final class RunningDigest: @unchecked Sendable {
    /// The digest algorithm.
    public enum Algorithm: Sendable {
        case sha1
        case sha3_256

        var md: OpaquePointer {
            switch self {
            case .sha1: return evp.sha1
            case .sha3_256: return evp.sha3_256
            }
        }

        /// Digest output length in bytes.
        public var outputLength: Int {
            switch self {
            case .sha1: return 20
            case .sha3_256: return 32
            }
        }
    }

    /// The algorithm this digest runs.
    public let algorithm: Algorithm
    private let ctx: OpaquePointer
    /// Scratch context reused by `currentDigest()` so reading the value does not allocate a context.
    private let scratch: OpaquePointer

    /// Starts a new, empty digest.
    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        guard let ctx = EVP_MD_CTX_new(), let scratch = EVP_MD_CTX_new() else {
            fatalError("EVP_MD_CTX_new failed")
        }
        self.ctx = ctx
        self.scratch = scratch
        precondition(EVP_DigestInit_ex2(ctx, algorithm.md, nil) == 1,
                     openSSLErrorString("EVP_DigestInit_ex2 failed"))
    }

    private init(copying other: RunningDigest) {
        algorithm = other.algorithm
        guard let ctx = EVP_MD_CTX_new(), let scratch = EVP_MD_CTX_new() else {
            fatalError("EVP_MD_CTX_new failed")
        }
        self.ctx = ctx
        self.scratch = scratch
        precondition(EVP_MD_CTX_copy_ex(ctx, other.ctx) == 1,
                     openSSLErrorString("EVP_MD_CTX_copy_ex failed"))
    }

    deinit {
        EVP_MD_CTX_free(ctx)
        EVP_MD_CTX_free(scratch)
    }

    /// Makes this digest's state a copy of `other`'s, reusing this instance's context (no allocation):
    /// a checkpoint for trial updates on the per-cell path.
    public func copyState(from other: RunningDigest) {
        precondition(algorithm == other.algorithm, "copyState between different algorithms")
        precondition(EVP_MD_CTX_copy_ex(ctx, other.ctx) == 1, openSSLErrorString("EVP_MD_CTX_copy_ex failed"))
    }

    /// Feeds bytes into the digest.
    public func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update($0) }
    }

    /// Feeds bytes into the digest without copying them.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        precondition(EVP_DigestUpdate(ctx, buffer.baseAddress, buffer.count) == 1,
                     openSSLErrorString("EVP_DigestUpdate failed"))
    }

    /// The digest of everything fed so far; the running state is left unchanged.
    public func currentDigest() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.outputLength)
        var len: UInt32 = 0
        precondition(EVP_MD_CTX_copy_ex(scratch, ctx) == 1
                     && EVP_DigestFinal_ex(scratch, &out, &len) == 1
                     && Int(len) == out.count,
                     openSSLErrorString("digest finalisation failed"))
        return out
    }

    /// An independent copy of the current state (a checkpoint to restore from).
    public func copy() -> RunningDigest {
        RunningDigest(copying: self)
    }
}
