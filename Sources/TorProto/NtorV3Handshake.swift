import TorCrypto

/// The client side of the ntor v3 handshake (tor-spec "The ntor-v3 handshake", proposal 332;
/// CREATE2 handshake type 3), as pure functions of its inputs.
///
/// Unlike ntor v1 it carries an encrypted, authenticated message each way: the client's
/// extension list (e.g. a congestion-control request) and the relay's answer. It needs the
/// relay's Ed25519 identity, so it is used for relays that list `Relay=4` and have one.
public struct NtorV3ClientHandshake: Sendable {
    static let protoID = Array("ntor3-curve25519-sha3_256-1".utf8)
    static let tMessageKDF = protoID + Array(":kdf_phase1".utf8)
    static let tMessageMAC = protoID + Array(":msg_mac".utf8)
    static let tKeySeed = protoID + Array(":key_seed".utf8)
    static let tVerify = protoID + Array(":verify".utf8)
    static let tFinalKDF = protoID + Array(":kdf_final".utf8)
    static let tAuth = protoID + Array(":auth_final".utf8)
    /// The verification string for circuit extension (C tor's `NTOR3_CIRC_VERIFICATION`).
    public static let circuitVerification = Array("circuit extend".utf8)

    public let relayEd25519ID: [UInt8]
    public let relayOnionKey: [UInt8]
    let verification: [UInt8]
    let ephemeral: X25519PrivateKey
    /// `Bx = X25519(x, B)`, needed again when the reply comes.
    private let xb: SecretBytes
    /// The 32-byte MAC over the client's message, bound into the relay's AUTH.
    let messageMAC: [UInt8]
    /// `ID | B | X | ENC(CM) | MAC`: what goes into CREATE2 or EXTEND2.
    public let onionskin: [UInt8]

    /// - Parameters:
    ///   - relayEd25519ID: the relay's 32-byte Ed25519 identity.
    ///   - relayOnionKey: its 32-byte `ntor-onion-key`.
    ///   - message: the client message (an encoded ``NtorV3Extensions`` list for circuits).
    ///   - verification: the context string both sides bind in ("circuit extend" for circuits).
    ///   - ephemeral: the client's one-time key (random unless a test supplies one).
    public init(relayEd25519ID: [UInt8], relayOnionKey: [UInt8], message: [UInt8],
                verification: [UInt8] = NtorV3ClientHandshake.circuitVerification,
                ephemeral: X25519PrivateKey = .generate()) throws {
        guard relayEd25519ID.count == 32 else {
            throw ProtoError.invalidValue(what: "relay Ed25519 identity", detail: "\(relayEd25519ID.count) bytes")
        }
        guard relayOnionKey.count == 32 else {
            throw ProtoError.invalidValue(what: "ntor onion key", detail: "\(relayOnionKey.count) bytes")
        }
        self.relayEd25519ID = relayEd25519ID
        self.relayOnionKey = relayOnionKey
        self.verification = verification
        self.ephemeral = ephemeral
        var xb: [UInt8]
        do { xb = try ephemeral.sharedSecret(with: relayOnionKey) } catch {
            throw ProtoError.handshakeFailed("ntor v3: the relay's onion key gives an all-zero shared secret")
        }
        defer { wipe(&xb) }
        self.xb = SecretBytes(xb)
        let x = ephemeral.publicKey
        var phase1Input = xb + relayEd25519ID + x + relayOnionKey + Self.protoID + Self.encap(verification)
        var phase1 = Self.kdf(phase1Input, Self.tMessageKDF, 64)
        wipe(&phase1Input)
        defer { wipe(&phase1) }
        let encryptedMessage = try AESCTR(key: Array(phase1[0..<32])).process(message)
        let head = relayEd25519ID + relayOnionKey + x + encryptedMessage
        messageMAC = Self.mac(key: Array(phase1[32..<64]), message: head, tweak: Self.tMessageMAC)
        onionskin = head + messageMAC
    }

    /// Checks the relay's `Y | AUTH | ENC(SM)` reply; returns the relay's decrypted message and
    /// `keyLength` bytes of key material (72 for tor1 relay crypto).
    public func complete(reply: [UInt8], keyLength: Int = 72) throws -> (serverMessage: [UInt8], keyMaterial: [UInt8]) {
        guard reply.count >= 64 else {
            throw ProtoError.handshakeFailed("ntor v3 reply is \(reply.count) bytes, expected at least 64")
        }
        let serverY = Array(reply[0..<32])
        let auth = Array(reply[32..<64])
        let encryptedServerMessage = Array(reply[64...])
        var xy: [UInt8]
        do { xy = try ephemeral.sharedSecret(with: serverY) } catch {
            throw ProtoError.handshakeFailed("ntor v3 produced an all-zero shared secret")
        }
        let x = ephemeral.publicKey
        var secretInput = xy + xb.bytes + relayEd25519ID + relayOnionKey + x + serverY + Self.protoID
            + Self.encap(verification)
        wipe(&xy)
        var keySeed = Self.hash(secretInput, Self.tKeySeed)
        var verify = Self.hash(secretInput, Self.tVerify)
        wipe(&secretInput)
        defer { wipe(&keySeed); wipe(&verify) }
        let authInput = verify + relayEd25519ID + relayOnionKey + serverY + x + messageMAC
            + Self.encap(encryptedServerMessage) + Self.protoID + Array("Server".utf8)
        guard constantTimeEquals(Self.hash(authInput, Self.tAuth), auth) else {
            throw ProtoError.handshakeFailed("ntor v3 AUTH does not match: the relay does not hold the onion key we used")
        }
        var stream = Self.kdf(keySeed, Self.tFinalKDF, 32 + keyLength)
        defer { wipe(&stream) }
        let serverMessage = try AESCTR(key: Array(stream[0..<32])).process(encryptedServerMessage)
        return (serverMessage, Array(stream[32...]))
    }

    /// `ENCAP(s) = u64be(len(s)) | s`.
    static func encap(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(8 + bytes.count)
        let length = UInt64(bytes.count)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        return out + bytes
    }

    /// `H(s, t) = SHA3-256(ENCAP(t) | s)`.
    static func hash(_ input: [UInt8], _ tweak: [UInt8]) -> [UInt8] { Hash.sha3_256(encap(tweak) + input) }

    /// `MAC(k, m, t) = SHA3-256(ENCAP(t) | ENCAP(k) | m)`.
    static func mac(key: [UInt8], message: [UInt8], tweak: [UInt8]) -> [UInt8] {
        Hash.sha3_256(encap(tweak) + encap(key) + message)
    }

    /// `KDF(s, t) = SHAKE-256(ENCAP(t) | s)`, `length` bytes.
    static func kdf(_ input: [UInt8], _ tweak: [UInt8], _ length: Int) -> [UInt8] {
        Hash.shake256(encap(tweak) + input, outputLength: length)
    }
}
