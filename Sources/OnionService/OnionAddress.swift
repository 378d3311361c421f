import TorCrypto
import TorProto

/// A Tor v3 onion address: `base32(PUBKEY[32] | CHECKSUM[2] | VERSION[1]) + ".onion"`
/// (rend-spec-v3 §6 [ONIONADDRESS]).
///
/// Parsing accepts the address with or without `.onion`, with subdomains (`www.<addr>.onion`,
/// the last label before `.onion` is the address) and in any letter case. The description is
/// always the canonical lower-case `<56 characters>.onion`.
public struct OnionAddress: Sendable, Hashable, CustomStringConvertible {
    /// The service's 32-byte Ed25519 identity key `A` (`KP_hs_id`).
    public let publicKey: [UInt8]

    /// Length of the base32 part.
    public static let encodedLength = 56
    /// The only address version this client speaks.
    public static let version: UInt8 = 3

    /// Wraps an identity key, checking that it is a valid torsion-free Ed25519 point.
    public init(publicKey: [UInt8]) throws(OnionAddressError) {
        guard publicKey.count == 32, Ed25519.isValidPoint(publicKey) else { throw .invalidKey }
        self.publicKey = publicKey
    }

    /// Parses `xxx.onion`, `xxx`, `sub.xxx.onion`, in any case.
    public init(_ text: String) throws(OnionAddressError) {
        var host = text.trimmingWhitespace().lowercased()
        if host.hasSuffix(".") { host.removeLast() }  // fully qualified form "x.onion."
        if host.hasSuffix(".onion") { host.removeLast(6) }
        if let lastDot = host.lastIndex(of: ".") { host = String(host[host.index(after: lastDot)...]) }
        guard host.utf8.count == Self.encodedLength else { throw .wrongLength(host.utf8.count) }
        let decoded: [UInt8]
        do { decoded = try Base32.decode(host) } catch { throw .notBase32 }
        guard decoded.count == 35 else { throw .notBase32 }
        let key = Array(decoded[0..<32])
        let checksum = Array(decoded[32..<34])
        let version = decoded[34]
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard checksum == Self.checksum(publicKey: key, version: version) else { throw .badChecksum }
        try self.init(publicKey: key)
    }

    /// `nil` when `text` is not a valid address.
    public init?(validating text: String) {
        do { try self.init(text) } catch { return nil }
    }

    /// The 56 lower-case base32 characters, without `.onion`.
    public var base32: String {
        Base32.encode(publicKey + Self.checksum(publicKey: publicKey, version: Self.version) + [Self.version])
    }

    /// Canonical form: lower-case `<56 characters>.onion`.
    public var description: String { base32 + ".onion" }

    /// `CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[0:2]`.
    static func checksum(publicKey: [UInt8], version: UInt8) -> [UInt8] {
        Array(Hash.sha3_256(HSPrimitives.ascii(".onion checksum") + publicKey + [version]).prefix(2))
    }
}

/// Why a string is not a usable v3 onion address; each message is meant for the person who typed it.
public enum OnionAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The address part is not 56 characters long (the count found is attached).
    case wrongLength(Int)
    /// It contains characters outside a–z and 2–7.
    case notBase32
    /// The last character encodes a version other than 3 (v2 addresses are gone).
    case unsupportedVersion(UInt8)
    /// The two checksum bytes do not match: almost always a typo.
    case badChecksum
    /// The embedded key is not a valid Ed25519 public key of the right kind.
    case invalidKey

    public var description: String {
        switch self {
        case let .wrongLength(count):
            return "an onion address has 56 characters before .onion, this one has \(count)"
        case .notBase32:
            return "an onion address may contain only the letters a–z and the digits 2–7"
        case let .unsupportedVersion(version):
            return "this is not a version 3 onion address (version \(version)); only v3 addresses are supported"
        case .badChecksum:
            return "checksum does not match: a character is probably mistyped"
        case .invalidKey:
            return "the address does not contain a valid onion-service key"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
