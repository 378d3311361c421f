import COpenSSL

/// Owns an `EVP_PKEY` and frees it on release. The key is never mutated after creation,
/// and OpenSSL allows concurrent read-only use of a key, so sharing is safe.
final class PKeyBox: @unchecked Sendable {
    let pkey: OpaquePointer
    init(_ pkey: OpaquePointer) { self.pkey = pkey }
    deinit { EVP_PKEY_free(pkey) }
}

/// An RSA public key (relay/authority identity keys, directory signing keys, TAP onion keys).
public struct RSAPublicKey: @unchecked Sendable, Equatable {
    let box: PKeyBox
    /// The PKCS#1 `RSAPublicKey` DER encoding (as re-encoded by OpenSSL).
    public let pkcs1DER: [UInt8]

    /// Parses a PKCS#1 `RSAPublicKey` DER structure (trailing bytes are rejected).
    public init(pkcs1DER der: [UInt8]) throws {
        guard !der.isEmpty else { throw CryptoError.decodingFailed("empty RSA key") }
        let (pkey, consumed): (OpaquePointer?, Int) = der.withUnsafeBufferPointer { buf in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            let key = d2i_PublicKey(EVP_PKEY_RSA, nil, &p, buf.count)
            let used = p.map { $0 - buf.baseAddress! } ?? 0
            return (key, used)
        }
        guard let pkey else {
            throw CryptoError.decodingFailed(openSSLErrorString("not a PKCS#1 RSA public key"))
        }
        let box = PKeyBox(pkey)
        guard consumed == der.count else {
            throw CryptoError.decodingFailed("trailing bytes after RSA public key")
        }
        self.box = box
        var out: UnsafeMutablePointer<UInt8>? = nil
        let len = i2d_PublicKey(pkey, &out)
        guard len > 0, let out else {
            throw CryptoError.openSSL(openSSLErrorString("i2d_PublicKey failed"))
        }
        pkcs1DER = Array(UnsafeBufferPointer(start: out, count: Int(len)))
        CRYPTO_free(out, #fileID, #line)
    }

    /// Wraps an existing key (takes ownership of one reference).
    init(box: PKeyBox) throws {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let len = i2d_PublicKey(box.pkey, &out)
        guard len > 0, let out else {
            throw CryptoError.openSSL(openSSLErrorString("i2d_PublicKey failed"))
        }
        self.box = box
        pkcs1DER = Array(UnsafeBufferPointer(start: out, count: Int(len)))
        CRYPTO_free(out, #fileID, #line)
    }

    /// Parses a PEM block `-----BEGIN RSA PUBLIC KEY----- ... -----END RSA PUBLIC KEY-----`
    /// (PKCS#1, as in Tor directory documents). Text around the block is ignored.
    public init(pem: String) throws {
        let begin = "-----BEGIN RSA PUBLIC KEY-----"
        let end = "-----END RSA PUBLIC KEY-----"
        guard let b = pem.firstRange(of: begin), let e = pem[b.upperBound...].firstRange(of: end) else {
            throw CryptoError.decodingFailed("missing RSA PUBLIC KEY PEM markers")
        }
        let der = try Base64.decode(String(pem[b.upperBound..<e.lowerBound]))
        try self.init(pkcs1DER: der)
    }

    /// Modulus size in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(box.pkey)) }

    /// True when the public exponent equals `e` (Tor requires 65537 for identity and signing keys).
    public func exponentIs(_ e: UInt64) -> Bool {
        var bn: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(box.pkey, "e", &bn) == 1, let bn else {
            ERR_clear_error()
            return false
        }
        defer { BN_free(bn) }
        guard BN_num_bits(bn) <= 64 else { return false }
        return UInt64(BN_get_word(bn)) == e
    }

    /// The Tor RSA identity fingerprint: SHA-1 of the PKCS#1 DER encoding (20 bytes).
    public var fingerprint: [UInt8] { Hash.sha1(pkcs1DER) }

    /// Recovers the data inside a PKCS#1 v1.5 (type 1) signature, with no DigestInfo
    /// (Tor signs the raw digest): `EVP_PKEY_verify_recover` with `RSA_PKCS1_PADDING`.
    /// - Throws: `.signatureInvalid` when the signature does not decrypt to valid padding.
    public func recoverSignedData(_ signature: [UInt8]) throws -> [UInt8] {
        guard !signature.isEmpty else { throw CryptoError.signatureInvalid }
        guard let ctx = EVP_PKEY_CTX_new(box.pkey, nil) else {
            throw CryptoError.openSSL(openSSLErrorString("EVP_PKEY_CTX_new failed"))
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_verify_recover_init(ctx) == 1,
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 else {
            throw CryptoError.openSSL(openSSLErrorString("EVP_PKEY_verify_recover_init failed"))
        }
        var outLen = 0
        guard EVP_PKEY_verify_recover(ctx, nil, &outLen, signature, signature.count) == 1 else {
            ERR_clear_error()
            throw CryptoError.signatureInvalid
        }
        var out = [UInt8](repeating: 0, count: outLen)
        guard EVP_PKEY_verify_recover(ctx, &out, &outLen, signature, signature.count) == 1 else {
            ERR_clear_error()
            throw CryptoError.signatureInvalid
        }
        return Array(out.prefix(outLen))
    }

    /// True when `signature` recovers exactly to `digest` (Tor's directory/crosscert check).
    public func isSignatureValid(_ signature: [UInt8], forDigest digest: [UInt8]) -> Bool {
        guard let recovered = try? recoverSignedData(signature) else { return false }
        return constantTimeEquals(recovered, digest)
    }

    public static func == (lhs: RSAPublicKey, rhs: RSAPublicKey) -> Bool {
        lhs.pkcs1DER == rhs.pkcs1DER
    }
}
