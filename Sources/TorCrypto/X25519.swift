import CSodium

/// An X25519 (Curve25519 Diffie-Hellman) private key; the bytes live in `SecretBytes`.
public struct X25519PrivateKey: Sendable {
    /// Key and public-key length in bytes.
    public static let keyLength = 32

    private let secret: SecretBytes
    /// The matching public key (u-coordinate, 32 bytes).
    public let publicKey: [UInt8]

    /// A fresh random key.
    public static func generate() -> X25519PrivateKey {
        ensureSodium()
        let secret = SecretBytes(count: keyLength) { buf in SecureRandom.fill(buf) }
        return X25519PrivateKey(secret: secret)
    }

    /// Wraps 32 raw scalar bytes (clamping happens inside the scalar multiplication).
    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == Self.keyLength else {
            throw CryptoError.invalidKeyLength(expected: Self.keyLength, got: rawRepresentation.count)
        }
        self.init(secret: SecretBytes(rawRepresentation))
    }

    private init(secret: SecretBytes) {
        ensureSodium()
        self.secret = secret
        var pub = [UInt8](repeating: 0, count: Self.keyLength)
        let rc = secret.withUnsafeBytes { sk in
            crypto_scalarmult_base(&pub, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        precondition(rc == 0, "crypto_scalarmult_base failed")
        publicKey = pub
    }

    /// The raw 32 private bytes (a copy that is not wiped; avoid keeping it around).
    public var rawRepresentation: [UInt8] { secret.bytes }

    /// X25519(self, peerPublicKey).
    /// - Throws: `.invalidKeyLength` for a non-32-byte peer key, `.allZeroSharedSecret` when
    ///   the result is all zeros (small-order peer point), which Tor treats as handshake failure.
    public func sharedSecret(with peerPublicKey: [UInt8]) throws -> [UInt8] {
        guard peerPublicKey.count == Self.keyLength else {
            throw CryptoError.invalidKeyLength(expected: Self.keyLength, got: peerPublicKey.count)
        }
        var out = [UInt8](repeating: 0, count: Self.keyLength)
        let rc = secret.withUnsafeBytes { sk in
            crypto_scalarmult(&out, sk.baseAddress!.assumingMemoryBound(to: UInt8.self), peerPublicKey)
        }
        // libsodium returns -1 exactly when the output is all zeros; check again in constant time.
        if rc != 0 || constantTimeIsZero(out) {
            throw CryptoError.allZeroSharedSecret
        }
        return out
    }
}
