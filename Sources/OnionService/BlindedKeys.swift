import TorCrypto
import TorProto

/// The per-period keys of an onion service as a client derives them (rend-spec-v3 §2.1
/// [SUBCRED], Appendix A.2 [KEYBLIND]):
///
///     A'           = blind(A, period_num, period_length)       (KP_hs_blind_id)
///     credential   = SHA3-256("credential" | A)
///     subcredential = SHA3-256("subcredential" | credential | A')
///
/// `A'` names the descriptor on the HSDirs and signs its certificate; the subcredential keys
/// the descriptor layers and the INTRODUCE1 handshake.
public struct BlindedKeys: Sendable, Equatable {
    /// The blinded public key `A'` (32 bytes).
    public let blindedPublicKey: [UInt8]
    /// `N_hs_cred`; `nil` when built from a known blinded key and subcredential only.
    public let credential: [UInt8]?
    /// `N_hs_subcred` (32 bytes).
    public let subcredential: [UInt8]
    /// The period these keys belong to, when known.
    public let period: TimePeriod?

    /// Derives the keys of `address` for `period`.
    public init(address: OnionAddress, period: TimePeriod) throws(OnionAddressError) {
        let identity = address.publicKey
        do {
            blindedPublicKey = try Ed25519Blinding.blindPublicKey(identity, periodNumber: period.number,
                                                                  periodLengthMinutes: period.lengthMinutes)
        } catch {
            throw .invalidKey
        }
        let credential = Hash.sha3_256(HSPrimitives.ascii("credential") + identity)
        self.credential = credential
        subcredential = Hash.sha3_256(HSPrimitives.ascii("subcredential") + credential + blindedPublicKey)
        self.period = period
    }

    /// Keys already known (for example from a test vector or a cache).
    public init(blindedPublicKey: [UInt8], subcredential: [UInt8], period: TimePeriod? = nil) {
        self.blindedPublicKey = blindedPublicKey
        self.subcredential = subcredential
        self.credential = nil
        self.period = period
    }

    /// The descriptor ID used in the fetch URL: `GET /tor/hs/3/<this>` (base64, no padding).
    public var descriptorID: String { Base64.encode(blindedPublicKey, padding: false) }
}
