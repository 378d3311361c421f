import COpenSSL

/// HMAC (RFC 2104).
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var outLen: UInt32 = 0
        // Array-to-pointer bridging always yields a non-null pointer, even for empty arrays.
        let result = COpenSSL.HMAC(evp.sha256, key, Int32(key.count),
                                   message, message.count, &out, &outLen)
        precondition(result != nil && outLen == 32, openSSLErrorString("HMAC-SHA256 failed"))
        return out
    }
}
