import TorCrypto
import TorProto

/// The client side of the onion-service ntor handshake (rend-spec-v3 §3.3
/// [NTOR-WITH-EXTRA-DATA], §4.2 [JOIN_REND]; C `hs_ntor.c`, `hs_cell.c`).
///
/// 1. ``introduce1Body(rendezvousCookie:rendezvousOnionKey:rendezvousLinkSpecifiers:extensions:)``
///    builds the INTRODUCE1 message for the introduction point (only after the rendezvous
///    circuit is established).
/// 2. ``complete(rendezvous2:)`` checks the service's RENDEZVOUS2 answer and yields the
///    128 bytes of key material for the virtual hop.
///
/// The ephemeral key `x` is chosen at creation; pass one to reproduce test vectors.
public struct HsNtorClient: Sendable {
    static let protoID = HSPrimitives.ascii("tor-hs-ntor-curve25519-sha3-256-1")
    static let tHsEnc = protoID + HSPrimitives.ascii(":hs_key_extract")
    static let tHsVerify = protoID + HSPrimitives.ascii(":hs_verify")
    static let tHsMac = protoID + HSPrimitives.ascii(":hs_mac")
    static let mHsExpand = protoID + HSPrimitives.ascii(":hs_key_expand")

    /// `HS_CELL_INTRODUCE1_MIN_SIZE`: header + plaintext are zero-padded to at least this.
    public static let introduce1MinimumSize = 246
    public static let rendezvousCookieLength = 20
    /// Length of the virtual-hop key material `Df | Db | Kf | Kb`.
    public static let keyMaterialLength = 128

    /// `KP_hs_ipt_sid`: the intro point's auth key (``IntroductionPoint/authKey``).
    public let authKey: [UInt8]
    /// `B = KP_hss_ntor`: the intro point's enc key (``IntroductionPoint/encKey``).
    public let encKey: [UInt8]
    /// The subcredential of the descriptor the intro point came from.
    public let subcredential: [UInt8]
    /// Our ephemeral key `x` (its public part `X` goes into INTRODUCE1).
    public let ephemeralKey: X25519PrivateKey

    public init(authKey: [UInt8], encKey: [UInt8], subcredential: [UInt8],
                ephemeralKey: X25519PrivateKey = .generate()) throws(HsNtorError) {
        guard authKey.count == 32 else { throw .badInput("the intro point auth key must be 32 bytes") }
        guard encKey.count == 32 else { throw .badInput("the intro point enc key must be 32 bytes") }
        guard subcredential.count == 32 else { throw .badInput("the subcredential must be 32 bytes") }
        self.authKey = authKey
        self.encKey = encKey
        self.subcredential = subcredential
        self.ephemeralKey = ephemeralKey
    }

    /// For an introduction point taken from a decrypted descriptor.
    public init(introductionPoint: IntroductionPoint, subcredential: [UInt8],
                ephemeralKey: X25519PrivateKey = .generate()) throws(HsNtorError) {
        try self.init(authKey: introductionPoint.authKey, encKey: introductionPoint.encKey,
                      subcredential: subcredential, ephemeralKey: ephemeralKey)
    }

    /// A fresh 20-byte rendezvous cookie (randomness injectable for tests).
    public static func makeRendezvousCookie(random: (Int) -> [UInt8] = SecureRandom.bytes) -> [UInt8] {
        random(rendezvousCookieLength)
    }

    /// One extension in the encrypted part of INTRODUCE1: `TYPE[1] LEN[1] BODY`.
    public struct Extension: Sendable, Equatable {
        public var type: UInt8
        public var body: [UInt8]
        public init(type: UInt8, body: [UInt8]) { self.type = type; self.body = body }
        /// Congestion-control request (prop 324), only when the service offers flow control.
        public static let congestionControlRequest = Extension(type: 1, body: [])
    }

    /// The cleartext header `LEGACY_KEY_ID[20]=0 | AUTH_KEY_TYPE=02 | AUTH_KEY_LEN=32 | AUTH_KEY | N_EXT=0`.
    var header: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        out.append(2)
        out.appendU16(32)
        out.append(contentsOf: authKey)
        out.append(0)
        return out
    }

    /// `hs_keys = SHAKE-256(X25519(x,B) | AUTH_KEY | X | B | PROTOID | t_hsenc | m_hsexpand | subcred, 64)`
    /// = `ENC_KEY[32] | MAC_KEY[32]`.
    func introKeys() throws(HsNtorError) -> (encKey: [UInt8], macKey: [UInt8]) {
        let xB = try sharedSecret(encKey)
        let input = xB + authKey + ephemeralKey.publicKey + encKey + Self.protoID
            + Self.tHsEnc + Self.mHsExpand + subcredential
        let keys = Hash.shake256(input, outputLength: 64)
        return (Array(keys[0..<32]), Array(keys[32..<64]))
    }

    /// The INTRODUCE1 body `HEADER | X | ENCRYPTED | MAC`.
    ///
    /// Plaintext: `RENDEZVOUS_COOKIE[20] | N_EXT | ext* | ONION_KEY_TYPE=01 | ONION_KEY_LEN=32 |
    /// ONION_KEY | NSPEC | link specifiers | zero padding` (header + plaintext ≥ 246 bytes), sent
    /// under `AES-256-CTR(ENC_KEY, IV 0)`; `MAC = MAC(MAC_KEY, HEADER | X | ENCRYPTED)`.
    ///
    /// - Parameters:
    ///   - rendezvousCookie: the 20 bytes sent in ESTABLISH_RENDEZVOUS.
    ///   - rendezvousOnionKey: the rendezvous relay's ntor onion key (32 bytes).
    ///   - rendezvousLinkSpecifiers: how the service reaches the rendezvous relay.
    ///   - extensions: normally none.
    public func introduce1Body(rendezvousCookie: [UInt8], rendezvousOnionKey: [UInt8],
                               rendezvousLinkSpecifiers: [LinkSpecifier],
                               extensions: [Extension] = []) throws(HsNtorError) -> [UInt8] {
        guard rendezvousCookie.count == Self.rendezvousCookieLength else {
            throw .badInput("the rendezvous cookie must be 20 bytes")
        }
        guard rendezvousOnionKey.count == 32 else { throw .badInput("the rendezvous onion key must be 32 bytes") }
        let header = self.header
        var plaintext = rendezvousCookie
        plaintext.append(UInt8(extensions.count))
        for ext in extensions {
            guard ext.body.count <= 255 else { throw .badInput("an INTRODUCE1 extension body exceeds 255 bytes") }
            plaintext.append(ext.type)
            plaintext.append(UInt8(ext.body.count))
            plaintext.append(contentsOf: ext.body)
        }
        plaintext.append(1)
        plaintext.appendU16(32)
        plaintext.append(contentsOf: rendezvousOnionKey)
        LinkSpecifier.encodeList(rendezvousLinkSpecifiers, into: &plaintext)
        let shortfall = Self.introduce1MinimumSize - header.count - plaintext.count
        if shortfall > 0 { plaintext.append(contentsOf: [UInt8](repeating: 0, count: shortfall)) }

        let keys = try introKeys()
        let encrypted: [UInt8]
        do { encrypted = try AESCTR(key: keys.encKey).process(plaintext) } catch {
            throw .badInput("AES-256-CTR could not be set up: \(error)")
        }
        let covered = header + ephemeralKey.publicKey + encrypted
        return covered + HSPrimitives.mac(key: keys.macKey, message: covered)
    }

    /// The outcome of a completed handshake.
    public struct Result: Sendable {
        /// `NTOR_KEY_SEED`.
        public let ntorKeySeed: [UInt8]
        /// `SHAKE-256(NTOR_KEY_SEED | m_hsexpand, 128)` = `Df | Db | Kf | Kb`.
        public let keyMaterial: [UInt8]
        /// ``keyMaterial`` split for the virtual hop's relay crypto.
        public var hopKeys: HopKeys { HopKeys(onionServiceMaterial: keyMaterial) }
    }

    /// Checks RENDEZVOUS2 `HANDSHAKE_INFO = Y[32] | AUTH[32]` and derives the virtual-hop keys:
    ///
    ///     rend_secret_hs_input = X25519(x,Y) | X25519(x,B) | AUTH_KEY | B | X | Y | PROTOID
    ///     NTOR_KEY_SEED = MAC(rend_secret_hs_input, t_hsenc)
    ///     verify        = MAC(rend_secret_hs_input, t_hsverify)
    ///     AUTH          = MAC(verify | AUTH_KEY | B | Y | X | PROTOID | "Server", t_hsmac)
    public func complete(rendezvous2 body: [UInt8]) throws(HsNtorError) -> Result {
        guard body.count >= 64 else { throw .badInput("RENDEZVOUS2 carries \(body.count) bytes, expected 64") }
        let serverY = Array(body[0..<32])
        let auth = Array(body[32..<64])
        var xY = try sharedSecret(serverY)
        var xB = try sharedSecret(encKey)
        let ourX = ephemeralKey.publicKey
        var secretInput = xY + xB + authKey + encKey + ourX + serverY + Self.protoID
        wipe(&xY)
        wipe(&xB)
        defer { wipe(&secretInput) }
        let seed = HSPrimitives.mac(key: secretInput, message: Self.tHsEnc)
        var verify = HSPrimitives.mac(key: secretInput, message: Self.tHsVerify)
        var authInput = verify + authKey + encKey + serverY + ourX + Self.protoID + HSPrimitives.ascii("Server")
        wipe(&verify)
        defer { wipe(&authInput) }
        let expected = HSPrimitives.mac(key: authInput, message: Self.tHsMac)
        guard constantTimeEquals(expected, auth) else { throw .authenticationFailed }
        return Result(ntorKeySeed: seed,
                      keyMaterial: Hash.shake256(seed + Self.mHsExpand, outputLength: Self.keyMaterialLength))
    }

    private func sharedSecret(_ peer: [UInt8]) throws(HsNtorError) -> [UInt8] {
        do { return try ephemeralKey.sharedSecret(with: peer) } catch {
            throw .authenticationFailed
        }
    }
}

/// Why the onion-service handshake failed.
public enum HsNtorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input had the wrong size or shape.
    case badInput(String)
    /// RENDEZVOUS2 did not authenticate (wrong service, tampered reply, or a degenerate key).
    case authenticationFailed

    public var description: String {
        switch self {
        case let .badInput(detail): return "onion-service handshake: \(detail)"
        case .authenticationFailed:
            return "the onion service's rendezvous reply did not authenticate"
        }
    }
}
