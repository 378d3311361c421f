/// Errors thrown by TorCrypto.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key or other fixed-size input had the wrong length.
    case invalidKeyLength(expected: Int, got: Int)
    /// A key was structurally wrong (bad encoding, not a valid curve point, wrong algorithm...).
    case invalidKey(String)
    /// An X25519 exchange produced the all-zero output (peer sent a small-order point).
    case allZeroSharedSecret
    /// An OpenSSL call failed; the associated text is the OpenSSL error queue, if any.
    case openSSL(String)
    /// Base32/Base64/PEM/DER input could not be decoded.
    case decodingFailed(String)
    /// A signature did not verify (or could not be processed).
    case signatureInvalid
    /// An input other than a key had an unacceptable length.
    case invalidLength(String)

    public var description: String {
        switch self {
        case let .invalidKeyLength(expected, got):
            return "invalid key length: expected \(expected) bytes, got \(got)"
        case let .invalidKey(why):
            return "invalid key: \(why)"
        case .allZeroSharedSecret:
            return "X25519 shared secret is all zeros (peer key has small order)"
        case let .openSSL(why):
            return "OpenSSL error: \(why)"
        case let .decodingFailed(why):
            return "decoding failed: \(why)"
        case .signatureInvalid:
            return "signature is invalid"
        case let .invalidLength(why):
            return "invalid length: \(why)"
        }
    }
}
