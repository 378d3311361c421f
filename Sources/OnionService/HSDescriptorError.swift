import FoundationEssentials
import TorDirectory

/// Why an onion-service descriptor could not be used. The messages are shown to people, so
/// they say what went wrong in plain words.
public enum HSDescriptorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document is larger than the 50 000 bytes C tor accepts.
    case tooLarge(size: Int)
    /// A line or field is not what the format allows. `line` is 1-based within the layer named
    /// in `detail` (nil when the problem is not tied to a line).
    case malformed(line: Int?, detail: String)
    /// The descriptor signing certificate is not for the blinded key of this address and period.
    case wrongBlindedKey
    /// A certificate or the descriptor signature does not verify.
    case badSignature
    /// The descriptor signing certificate has expired.
    case expired
    /// An introduction point's certificate (`auth-key` or `enc-key-cert`) has expired: C tor
    /// refuses such an introduction point too (hs_descriptor.c, cert_is_valid).
    case introductionPointCertificateExpired(keyword: String, line: Int, expiredAt: Date)
    /// The service requires client authorization and no key was given (or the encrypted layer
    /// does not open without one).
    case clientAuthorizationRequired
    /// A client key was given but the service does not list it: it was never added on the
    /// service side or was revoked.
    case clientAuthorizationRejected

    public var description: String {
        switch self {
        case let .tooLarge(size):
            return "the onion-service descriptor is \(size) bytes, more than the 50000 allowed"
        case let .malformed(line, detail):
            if let line { return "the onion-service descriptor is malformed at line \(line): \(detail)" }
            return "the onion-service descriptor is malformed: \(detail)"
        case .wrongBlindedKey:
            return "the descriptor was not published for this onion address and time period"
        case .badSignature:
            return "the descriptor's signature does not verify: it was altered or not made by this onion service"
        case .expired:
            return "the descriptor has expired"
        case let .introductionPointCertificateExpired(keyword, line, expiredAt):
            return "the descriptor's introduction point at line \(line) has an expired \(keyword) certificate "
                + "(expired \(DirTime.format(expiredAt))): the service or our clock is wrong"
        case .clientAuthorizationRequired:
            return "this onion service requires client authorization: add its client key to reach it"
        case .clientAuthorizationRejected:
            return "this onion service does not accept our client key: ask its operator to authorize it again"
        }
    }
}
