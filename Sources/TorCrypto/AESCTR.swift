import COpenSSL

/// AES in counter mode as a stream cipher (tor1 relay crypto uses AES-128-CTR, the
/// onion-service virtual hop and descriptor/INTRODUCE encryption use AES-256-CTR).
/// The key length (16 or 32 bytes) picks AES-128 or AES-256. The counter/keystream position
/// persists across calls, so splitting input across calls yields the same stream.
///
/// Not safe for concurrent use; one instance per direction per hop.
public final class AESCTR: @unchecked Sendable {
    private let ctx: OpaquePointer

    /// Creates a cipher with `key` (16 or 32 bytes) and initial counter block `iv` (16 bytes,
    /// zero by default as Tor uses).
    public init(key: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 16)) throws {
        let cipher: OpaquePointer
        switch key.count {
        case 16: cipher = evp.aes128CTR
        case 32: cipher = evp.aes256CTR
        default: throw CryptoError.invalidKeyLength(expected: 16, got: key.count)
        }
        guard iv.count == 16 else { throw CryptoError.invalidLength("AES-CTR IV must be 16 bytes, got \(iv.count)") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new failed") }
        guard EVP_EncryptInit_ex2(ctx, cipher, key, iv, nil) == 1 else {
            EVP_CIPHER_CTX_free(ctx)
            throw CryptoError.openSSL(openSSLErrorString("EVP_EncryptInit_ex2 failed"))
        }
        self.ctx = ctx
    }

    /// Creates a cipher from a key held in ``SecretBytes``; the temporary copy handed to OpenSSL
    /// is wiped, and the key schedule lives in OpenSSL's context, which `EVP_CIPHER_CTX_free` cleanses.
    public convenience init(key: SecretBytes) throws {
        var copy = key.bytes
        defer { wipe(&copy) }
        try self.init(key: copy)
    }

    deinit {
        EVP_CIPHER_CTX_free(ctx)
    }

    /// XORs the next keystream bytes into `data` in place.
    public func apply(_ data: inout [UInt8]) {
        data.withUnsafeMutableBytes { apply($0) }
    }

    /// XORs the next keystream bytes into `buffer` in place (no copies).
    public func apply(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var p = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let chunk = Int32(min(remaining, 1 << 30))
            var outLen: Int32 = 0
            precondition(EVP_EncryptUpdate(ctx, p, &outLen, p, chunk) == 1 && outLen == chunk,
                         openSSLErrorString("EVP_EncryptUpdate failed"))
            p += Int(chunk)
            remaining -= Int(chunk)
        }
    }

    /// Returns `data` XORed with the next keystream bytes.
    public func process(_ data: [UInt8]) -> [UInt8] {
        var copy = data
        apply(&copy)
        return copy
    }
}
