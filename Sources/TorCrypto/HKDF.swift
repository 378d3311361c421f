/// HKDF with SHA-256 (RFC 5869); ntor's key derivation.
public enum HKDF {
    /// Full RFC 5869 HKDF: `PRK = HMAC(salt, ikm)` then expand. Tor's ntor uses
    /// `salt = t_key` and `info = m_expand`.
    /// - Precondition: `outputLength <= 255 * 32`.
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], outputLength: Int) -> [UInt8] {
        let prk = HMAC.sha256(key: salt, message: ikm)
        return expandSHA256(prk: prk, info: info, outputLength: outputLength)
    }

    /// The RFC 5869 expand step: `T(i) = HMAC(prk, T(i-1) | info | i)`, output `T(1) | T(2) | ...`.
    /// - Precondition: `0 <= outputLength <= 255 * 32`.
    public static func expandSHA256(prk: [UInt8], info: [UInt8], outputLength: Int) -> [UInt8] {
        precondition(outputLength >= 0 && outputLength <= 255 * 32, "HKDF output length out of range")
        var out: [UInt8] = []
        out.reserveCapacity(outputLength + 32)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        var message: [UInt8] = []
        message.reserveCapacity(32 + info.count + 1)
        while out.count < outputLength {
            message.removeAll(keepingCapacity: true)
            message.append(contentsOf: block)
            message.append(contentsOf: info)
            message.append(counter)
            block = HMAC.sha256(key: prk, message: message)
            out.append(contentsOf: block)
            counter &+= 1
        }
        return Array(out.prefix(outputLength))
    }
}
