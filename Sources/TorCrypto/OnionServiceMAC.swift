/// The onion-service MAC (rend-spec-v3 §0.3): `MAC(k, m) = SHA3-256(INT_8(len(k)) | k | m)`.
public enum OnionServiceMAC {
    /// Computes the 32-byte MAC of `message` under `key`.
    public static func compute(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let d = RunningDigest(.sha3_256)
        d.update(Ed25519Blinding.bigEndian(UInt64(key.count)))
        d.update(key)
        d.update(message)
        return d.currentDigest()
    }
}
