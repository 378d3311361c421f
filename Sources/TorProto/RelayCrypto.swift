import TorCrypto

/// One hop's tor1 relay crypto (tor-spec §5.5, §6.1): AES-CTR in each direction and a running
/// digest per direction, all kept for the circuit's lifetime.
///
/// The classic hops use AES-128 and SHA-1; the onion-service virtual hop uses AES-256 and
/// SHA3-256 (rend-spec-v3 §5). The caller picks by the key lengths it passes.
public final class RelayCryptoLayer: @unchecked Sendable {
    private let forwardCipher: AESCTR
    private let backwardCipher: AESCTR
    private var forwardDigest: RunningDigest
    private var backwardDigest: RunningDigest
    /// A preallocated checkpoint of `backwardDigest` for trial recognition (swapped in on success).
    private var trialDigest: RunningDigest
    /// The full running digest after the last cell this hop originated: the SENDME tag to echo.
    public private(set) var lastBackwardDigest: [UInt8] = []
    private let tagLength = 20

    public init(keys: HopKeys) throws {
        forwardCipher = try AESCTR(key: keys.forwardKeySecret)
        backwardCipher = try AESCTR(key: keys.backwardKeySecret)
        let algorithm: RunningDigest.Algorithm = keys.forwardDigestSeedSecret.count == 32 ? .sha3_256 : .sha1
        let forward = RunningDigest(algorithm)
        keys.forwardDigestSeedSecret.withUnsafeBytes { forward.update($0) }
        forwardDigest = forward
        let backward = RunningDigest(algorithm)
        keys.backwardDigestSeedSecret.withUnsafeBytes { backward.update($0) }
        backwardDigest = backward
        trialDigest = RunningDigest(algorithm)
    }

    /// Seals an outbound payload addressed to this hop: fills in the digest field and returns
    /// the 20-byte digest state (the tag a later SENDME from this hop must echo).
    public func sealOutbound(_ payload: inout [UInt8]) -> [UInt8] {
        for index in RelayMessage.digestOffset..<(RelayMessage.digestOffset + 4) { payload[index] = 0 }
        forwardDigest.update(payload)
        let digest = forwardDigest.currentDigest()
        for index in 0..<4 { payload[RelayMessage.digestOffset + index] = digest[index] }
        return Array(digest.prefix(tagLength))
    }

    /// Encrypts one layer outbound.
    public func encryptOutbound(_ payload: inout [UInt8]) { forwardCipher.apply(&payload) }

    /// Removes one layer inbound.
    public func decryptInbound(_ payload: inout [UInt8]) { backwardCipher.apply(&payload) }

    /// After ``decryptInbound(_:)``: whether this hop originated the cell. On success the digest
    /// state advances and ``lastBackwardDigest`` holds the SENDME tag; otherwise nothing changes.
    /// The digest field is zeroed for the check and restored, so `payload` is unchanged either way.
    public func isRecognized(_ payload: inout [UInt8]) -> Bool {
        guard payload[1] == 0 && payload[2] == 0 else { return false }
        let offset = RelayMessage.digestOffset
        let received = (payload[offset], payload[offset + 1], payload[offset + 2], payload[offset + 3])
        payload[offset] = 0; payload[offset + 1] = 0; payload[offset + 2] = 0; payload[offset + 3] = 0
        trialDigest.copyState(from: backwardDigest)
        payload.withUnsafeBytes { trialDigest.update($0) }
        payload[offset] = received.0; payload[offset + 1] = received.1
        payload[offset + 2] = received.2; payload[offset + 3] = received.3
        let digest = trialDigest.currentDigest()
        guard digest[0] == received.0, digest[1] == received.1, digest[2] == received.2, digest[3] == received.3 else {
            return false
        }
        swap(&backwardDigest, &trialDigest)
        lastBackwardDigest = Array(digest.prefix(tagLength))
        return true
    }

    /// Non-mutating form of ``isRecognized(_:)-(inout)`` for callers holding an immutable payload.
    public func isRecognized(_ payload: [UInt8]) -> Bool {
        var copy = payload
        return isRecognized(&copy)
    }
}
