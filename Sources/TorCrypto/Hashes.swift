import COpenSSL

/// One-shot message digests (OpenSSL EVP).
public enum Hash {
    /// SHA-1 (20 bytes). Used for RSA identity fingerprints, KDF-TOR and tor1 relay digests.
    public static func sha1(_ data: [UInt8]) -> [UInt8] {
        digest(data, md: evp.sha1, length: 20)
    }

    /// SHA-256 (32 bytes).
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        digest(data, md: evp.sha256, length: 32)
    }

    /// SHA-256 of part of an array, without copying it out (a consensus's signed range is megabytes).
    public static func sha256(_ data: ArraySlice<UInt8>) -> [UInt8] {
        data.withUnsafeBytes { digest($0, md: evp.sha256, length: 32) }
    }

    /// SHA3-256 of part of an array, without copying it out.
    public static func sha3_256(_ data: ArraySlice<UInt8>) -> [UInt8] {
        data.withUnsafeBytes { digest($0, md: evp.sha3_256, length: 32) }
    }

    /// SHA-1 of part of an array, without copying it out.
    public static func sha1(_ data: ArraySlice<UInt8>) -> [UInt8] {
        data.withUnsafeBytes { digest($0, md: evp.sha1, length: 20) }
    }

    /// SHA3-256 (32 bytes); the onion-service hash `H`.
    public static func sha3_256(_ data: [UInt8]) -> [UInt8] {
        digest(data, md: evp.sha3_256, length: 32)
    }

    /// SHAKE-256 with `outputLength` bytes of output; the onion-service `KDF`.
    public static func shake256(_ data: [UInt8], outputLength: Int) -> [UInt8] {
        precondition(outputLength >= 0, "negative output length")
        if outputLength == 0 { return [] }
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: outputLength)
        let ok = data.withUnsafeBytes { input -> Bool in
            EVP_DigestInit_ex2(ctx, evp.shake256, nil) == 1
                && EVP_DigestUpdate(ctx, input.baseAddress, input.count) == 1
                && EVP_DigestFinalXOF(ctx, &out, outputLength) == 1
        }
        precondition(ok, openSSLErrorString("SHAKE-256 failed"))
        return out
    }

    static func digest(_ data: [UInt8], md: OpaquePointer, length: Int) -> [UInt8] {
        data.withUnsafeBytes { digest($0, md: md, length: length) }
    }

    static func digest(_ input: UnsafeRawBufferPointer, md: OpaquePointer, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var outLen: UInt32 = 0
        let ok = EVP_Digest(input.baseAddress, input.count, &out, &outLen, md, nil)
        precondition(ok == 1 && Int(outLen) == length, openSSLErrorString("EVP_Digest failed"))
        return out
    }
}
