import CSodium

/// Ed25519 public-key operations (libsodium).
public enum Ed25519 {
    /// Public key length.
    public static let publicKeyLength = 32
    /// Signature length.
    public static let signatureLength = 64
    /// Seed (private key) length.
    public static let seedLength = 32

    /// Verifies a detached signature. Wrong-length inputs simply fail.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        ensureSodium()
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }

    /// True when `publicKey` is a canonical encoding of a point in the prime-order subgroup
    /// that is not of small order (`crypto_core_ed25519_is_valid_point`); required for onion
    /// addresses (rend-spec-v3 §2.2.7).
    public static func isValidPoint(_ publicKey: [UInt8]) -> Bool {
        guard publicKey.count == publicKeyLength else { return false }
        ensureSodium()
        return crypto_core_ed25519_is_valid_point(publicKey) == 1
    }
}

/// An Ed25519 signing key; the 64-byte libsodium secret key (seed | public key) lives in
/// `SecretBytes`.
public struct Ed25519PrivateKey: Sendable {
    private let secret: SecretBytes
    /// The 32-byte public key.
    public let publicKey: [UInt8]

    /// A fresh random key.
    public static func generate() -> Ed25519PrivateKey {
        let seed = SecretBytes(count: Ed25519.seedLength) { SecureRandom.fill($0) }
        return seed.withUnsafeBytes { Ed25519PrivateKey(seedPointer: $0) }
    }

    /// Derives the key from a 32-byte seed (RFC 8032 "private key").
    public init(seed: [UInt8]) throws {
        guard seed.count == Ed25519.seedLength else {
            throw CryptoError.invalidKeyLength(expected: Ed25519.seedLength, got: seed.count)
        }
        self = seed.withUnsafeBytes { Ed25519PrivateKey(seedPointer: $0) }
    }

    private init(seedPointer: UnsafeRawBufferPointer) {
        ensureSodium()
        var pub = [UInt8](repeating: 0, count: Ed25519.publicKeyLength)
        secret = SecretBytes(count: 64) { sk in
            let rc = crypto_sign_seed_keypair(&pub, sk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                              seedPointer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            precondition(rc == 0, "crypto_sign_seed_keypair failed")
        }
        publicKey = pub
    }

    /// The 32-byte seed (a copy that is not wiped).
    public var seed: [UInt8] {
        secret.withUnsafeBytes { Array($0.prefix(Ed25519.seedLength)) }
    }

    /// Signs `message`, returning the 64-byte detached signature.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: Ed25519.signatureLength)
        let rc = secret.withUnsafeBytes { sk in
            crypto_sign_detached(&sig, nil, message, UInt64(message.count),
                                 sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        precondition(rc == 0, "crypto_sign_detached failed")
        return sig
    }
}
