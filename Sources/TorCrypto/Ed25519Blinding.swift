import CSodium

/// Ed25519 key blinding for v3 onion services (rend-spec-v3 §2.1, Appendix A.2 [KEYBLIND]).
///
/// ```
/// N = "key-blind" | INT_8(period_num) | INT_8(period_length_minutes)
/// h = SHA3-256("Derive temporary signing key" | 0x00 | A | B_str | N)
/// clamp(h); A' = h * A
/// ```
public enum Ed25519Blinding {
    /// The string form of the Ed25519 base point, as hashed into the blinding parameter.
    static let basepointString = Array(
        ("(15112221349535400772501151409588531511454012693041857206046113283949847762202, "
         + "46316835694926478169428394003475163141307993866256225615783033603165251855960)").utf8)

    /// The unclamped blinding parameter `h` (C tor `build_blinded_key_param`).
    public static func blindingParameter(publicKey: [UInt8], periodNumber: UInt64,
                                         periodLengthMinutes: UInt64) -> [UInt8] {
        var input = Array("Derive temporary signing key".utf8)
        input.append(0)
        input.append(contentsOf: publicKey)
        input.append(contentsOf: basepointString)
        input.append(contentsOf: Array("key-blind".utf8))
        input.append(contentsOf: bigEndian(periodNumber))
        input.append(contentsOf: bigEndian(periodLengthMinutes))
        return Hash.sha3_256(input)
    }

    /// The clamped blinding factor `h` for `publicKey` in the given time period.
    public static func blindingFactor(publicKey: [UInt8], periodNumber: UInt64,
                                      periodLengthMinutes: UInt64) -> [UInt8] {
        clamp(blindingParameter(publicKey: publicKey, periodNumber: periodNumber,
                                periodLengthMinutes: periodLengthMinutes))
    }

    /// `A' = clamp(factor) * A`. Clamping is idempotent, so a clamped or unclamped 32-byte
    /// factor may be passed.
    /// - Throws: `.invalidKeyLength` for wrong sizes, `.invalidKey` when `publicKey` is not a
    ///   valid prime-order point or the result is the identity.
    public static func blindPublicKey(_ publicKey: [UInt8], factor: [UInt8]) throws -> [UInt8] {
        guard publicKey.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, got: publicKey.count) }
        guard factor.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, got: factor.count) }
        ensureSodium()
        let scalar = clamp(factor)
        var out = [UInt8](repeating: 0, count: 32)
        // A is checked by libsodium to be canonical, on the main subgroup and not small order,
        // so h*A equals (h mod l)*A, which is what C tor computes.
        guard crypto_scalarmult_ed25519_noclamp(&out, scalar, publicKey) == 0 else {
            throw CryptoError.invalidKey("Ed25519 key cannot be blinded (not a valid prime-order point)")
        }
        return out
    }

    /// The blinded public key for a time period: `blindPublicKey(A, factor: blindingFactor(...))`.
    public static func blindPublicKey(_ publicKey: [UInt8], periodNumber: UInt64,
                                      periodLengthMinutes: UInt64) throws -> [UInt8] {
        guard publicKey.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, got: publicKey.count) }
        let factor = blindingFactor(publicKey: publicKey, periodNumber: periodNumber,
                                    periodLengthMinutes: periodLengthMinutes)
        return try blindPublicKey(publicKey, factor: factor)
    }

    /// The onion-service subcredential (rend-spec-v3 §2.1 [SUBCRED]):
    /// `SHA3-256("subcredential" | SHA3-256("credential" | A) | A')`.
    public static func subcredential(publicKey: [UInt8], blindedPublicKey: [UInt8]) -> [UInt8] {
        let credential = Hash.sha3_256(Array("credential".utf8) + publicKey)
        return Hash.sha3_256(Array("subcredential".utf8) + credential + blindedPublicKey)
    }

    static func clamp(_ h: [UInt8]) -> [UInt8] {
        var c = h
        c[0] &= 248
        c[31] &= 63
        c[31] |= 64
        return c
    }

    static func bigEndian(_ v: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) }
    }
}
