import TorCrypto

/// Keys for one hop of a circuit: running-digest seeds and AES keys in each direction.
///
/// The bytes live in ``SecretBytes`` (wiped when the last copy of these keys goes away); the
/// `[UInt8]` accessors make ordinary copies, for tests and vectors only.
public struct HopKeys: Sendable {
    public var forwardDigestSeedSecret: SecretBytes
    public var backwardDigestSeedSecret: SecretBytes
    public var forwardKeySecret: SecretBytes
    public var backwardKeySecret: SecretBytes

    /// Splits the 72 bytes of tor1 key material `Df[20] Db[20] Kf[16] Kb[16]`.
    public init(tor1Material k: [UInt8]) {
        precondition(k.count >= 72, "tor1 key material is 72 bytes")
        forwardDigestSeedSecret = Self.secret(k, 0..<20)
        backwardDigestSeedSecret = Self.secret(k, 20..<40)
        forwardKeySecret = Self.secret(k, 40..<56)
        backwardKeySecret = Self.secret(k, 56..<72)
    }

    /// Splits the 128 bytes of onion-service virtual-hop material `Df[32] Db[32] Kf[32] Kb[32]`.
    public init(onionServiceMaterial k: [UInt8]) {
        precondition(k.count >= 128, "onion-service key material is 128 bytes")
        forwardDigestSeedSecret = Self.secret(k, 0..<32)
        backwardDigestSeedSecret = Self.secret(k, 32..<64)
        forwardKeySecret = Self.secret(k, 64..<96)
        backwardKeySecret = Self.secret(k, 96..<128)
    }

    /// Copies `range` of `material` straight into wiped-on-release storage (no intermediate array).
    private static func secret(_ material: [UInt8], _ range: Range<Int>) -> SecretBytes {
        SecretBytes(count: range.count) { buffer in
            material.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
            }
        }
    }

    public var forwardDigestSeed: [UInt8] {
        get { forwardDigestSeedSecret.bytes }
        set { forwardDigestSeedSecret = SecretBytes(newValue) }
    }
    public var backwardDigestSeed: [UInt8] {
        get { backwardDigestSeedSecret.bytes }
        set { backwardDigestSeedSecret = SecretBytes(newValue) }
    }
    public var forwardKey: [UInt8] {
        get { forwardKeySecret.bytes }
        set { forwardKeySecret = SecretBytes(newValue) }
    }
    public var backwardKey: [UInt8] {
        get { backwardKeySecret.bytes }
        set { backwardKeySecret = SecretBytes(newValue) }
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
        var xy: [UInt8]
        var xb: [UInt8]
        do {
            xy = try ephemeral.sharedSecret(with: serverY)
            xb = try ephemeral.sharedSecret(with: relayOnionKey)
        } catch {
            throw ProtoError.handshakeFailed("ntor produced an all-zero shared secret")
        }
        let x = ephemeral.publicKey
        var secretInput = xy + xb + relayID + relayOnionKey + x + serverY + Self.protoID
        wipe(&xy)
        wipe(&xb)
        var keySeed = HMAC.sha256(key: Self.tKey, message: secretInput)
        var verify = HMAC.sha256(key: Self.tVerify, message: secretInput)
        wipe(&secretInput)
        defer { wipe(&keySeed); wipe(&verify) }
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
        var k = KDFTor.derive(clientMaterial + Array(reply[0..<20]), outputLength: 92)
        defer { wipe(&k) }
        guard constantTimeEquals(Array(k[0..<20]), Array(reply[20..<40])) else {
            throw ProtoError.handshakeFailed("CREATED_FAST key hash does not match")
        }
        return Array(k[20..<92])
    }
}
