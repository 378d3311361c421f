import TorCrypto

/// Keys for one hop of a circuit using tor1 relay crypto: running-digest seeds and AES-128 keys.
public struct HopKeys: Sendable {
    public var forwardDigestSeed: [UInt8]
    public var backwardDigestSeed: [UInt8]
    public var forwardKey: [UInt8]
    public var backwardKey: [UInt8]

    /// Splits the 72 bytes of tor1 key material `Df[20] Db[20] Kf[16] Kb[16]`.
    public init(tor1Material k: [UInt8]) {
        forwardDigestSeed = Array(k[0..<20])
        backwardDigestSeed = Array(k[20..<40])
        forwardKey = Array(k[40..<56])
        backwardKey = Array(k[56..<72])
    }

    /// Splits the 128 bytes of onion-service virtual-hop material `Df[32] Db[32] Kf[32] Kb[32]`.
    public init(onionServiceMaterial k: [UInt8]) {
        forwardDigestSeed = Array(k[0..<32])
        backwardDigestSeed = Array(k[32..<64])
        forwardKey = Array(k[64..<96])
        backwardKey = Array(k[96..<128])
    }
}

/// The client side of the ntor handshake (tor-spec §5.1.4), as pure functions of its inputs.
public struct NtorClientHandshake: Sendable {
    static let protoID = Array("ntor-curve25519-sha256-1".utf8)
    static let tMac = protoID + Array(":mac".utf8)
    static let tKey = protoID + Array(":key_extract".utf8)
    static let tVerify = protoID + Array(":verify".utf8)
    static let mExpand = protoID + Array(":key_expand".utf8)

    public let relayID: [UInt8]
    public let relayOnionKey: [UInt8]
    let ephemeral: X25519PrivateKey

    /// - Parameters:
    ///   - relayID: the relay's 20-byte RSA identity digest.
    ///   - relayOnionKey: its 32-byte `ntor-onion-key`.
    ///   - ephemeral: the client's one-time key (random unless a test supplies one).
    public init(relayID: [UInt8], relayOnionKey: [UInt8], ephemeral: X25519PrivateKey = .generate()) throws {
        guard relayID.count == 20 else { throw ProtoError.invalidValue(what: "relay identity", detail: "\(relayID.count) bytes") }
        guard relayOnionKey.count == 32 else {
            throw ProtoError.invalidValue(what: "ntor onion key", detail: "\(relayOnionKey.count) bytes")
        }
        self.relayID = relayID
        self.relayOnionKey = relayOnionKey
        self.ephemeral = ephemeral
    }

    /// The 84-byte onionskin `ID | B | X` to put in CREATE2 or EXTEND2.
    public var onionskin: [UInt8] { relayID + relayOnionKey + ephemeral.publicKey }

    /// Checks the relay's `Y | AUTH` reply and derives `length` bytes of key material.
    public func complete(reply: [UInt8], keyLength: Int = 72) throws -> [UInt8] {
        guard reply.count >= 64 else { throw ProtoError.handshakeFailed("ntor reply is \(reply.count) bytes, expected 64") }
        let serverY = Array(reply[0..<32])
        let auth = Array(reply[32..<64])
        let xy: [UInt8]
        let xb: [UInt8]
        do {
            xy = try ephemeral.sharedSecret(with: serverY)
            xb = try ephemeral.sharedSecret(with: relayOnionKey)
        } catch {
            throw ProtoError.handshakeFailed("ntor produced an all-zero shared secret")
        }
        let x = ephemeral.publicKey
        let secretInput = xy + xb + relayID + relayOnionKey + x + serverY + Self.protoID
        let keySeed = HMAC.sha256(key: Self.tKey, message: secretInput)
        let verify = HMAC.sha256(key: Self.tVerify, message: secretInput)
        let authInput = verify + relayID + relayOnionKey + serverY + x + Self.protoID + Array("Server".utf8)
        let expected = HMAC.sha256(key: Self.tMac, message: authInput)
        guard constantTimeEquals(expected, auth) else {
            throw ProtoError.handshakeFailed("ntor AUTH does not match: the relay does not hold the onion key we used")
        }
        return HKDF.expandSHA256(prk: keySeed, info: Self.mExpand, outputLength: keyLength)
    }
}

/// The CREATE_FAST handshake (tor-spec §5.1.5): only for a first hop whose onion key is unknown.
public struct CreateFastHandshake: Sendable {
    public let clientMaterial: [UInt8]

    public init(clientMaterial: [UInt8] = SecureRandom.bytes(20)) {
        self.clientMaterial = clientMaterial
    }

    /// Checks CREATED_FAST's `Y[20] | KH[20]` and derives the tor1 key material `Df Db Kf Kb`.
    public func complete(reply: [UInt8]) throws -> [UInt8] {
        guard reply.count >= 40 else { throw ProtoError.handshakeFailed("CREATED_FAST reply is \(reply.count) bytes") }
        let k = KDFTor.derive(clientMaterial + Array(reply[0..<20]), outputLength: 92)
        guard constantTimeEquals(Array(k[0..<20]), Array(reply[20..<40])) else {
            throw ProtoError.handshakeFailed("CREATED_FAST key hash does not match")
        }
        return Array(k[20..<92])
    }
}
