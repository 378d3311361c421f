import TorCrypto
import TorProto

/// The small building blocks every onion-service formula uses (rend-spec-v3 §0.3):
/// `H = SHA3-256`, `MAC(k, m) = H(INT_8(len(k)) | k | m)`, `INT_8` = 8-byte big endian.
enum HSPrimitives {
    /// `MAC(key, message) = SHA3-256(INT_8(len(key)) | key | message)`.
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        OnionServiceMAC.compute(key: key, message: message)
    }

    /// The bytes of an ASCII constant.
    static func ascii(_ string: String) -> [UInt8] { Array(string.utf8) }
}
