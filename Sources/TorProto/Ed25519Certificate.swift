import FoundationEssentials
import TorCrypto

/// A Tor Ed25519 certificate (cert-spec §2.1).
///
/// `VERSION[1]=1 CERT_TYPE[1] EXPIRATION[4, hours] KEY_TYPE[1] CERTIFIED_KEY[32] N_EXT[1] EXT* SIGNATURE[64]`
public struct Ed25519Certificate: Equatable, Sendable {
    /// Certificate types used by the link handshake and onion services.
    public enum CertType {
        public static let identityToSigning: UInt8 = 4
        public static let signingToTLS: UInt8 = 5
        public static let signingToAuth: UInt8 = 6
        public static let hsBlindedToDescSigning: UInt8 = 8
        public static let hsDescSigningToIntroAuth: UInt8 = 9
        public static let hsDescSigningToIntroEnc: UInt8 = 11
    }

    public struct Extension: Equatable, Sendable {
        public var type: UInt8
        public var flags: UInt8
        public var data: [UInt8]
    }

    public var certType: UInt8
    /// Hours since the epoch after which the certificate is no longer valid.
    public var expirationHours: UInt32
    public var certifiedKeyType: UInt8
    public var certifiedKey: [UInt8]
    public var extensions: [Extension]
    /// The key that signed it, if the certificate carries it (extension 4).
    public var signingKey: [UInt8]?
    public var signature: [UInt8]
    /// All bytes before the signature: what the signature covers.
    public var signedBytes: [UInt8]

    public var expiration: Date { Date(timeIntervalSince1970: TimeInterval(expirationHours) * 3600) }

    public init(bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let version = try reader.readU8("cert version")
        guard version == 1 else { throw ProtoError.badCertificate("unknown Ed25519 certificate version \(version)") }
        certType = try reader.readU8("cert type")
        expirationHours = try reader.readU32("cert expiration")
        certifiedKeyType = try reader.readU8("certified key type")
        certifiedKey = try reader.readBytes(32, "certified key")
        let count = Int(try reader.readU8("extension count"))
        var extensions = [Extension]()
        var signingKey: [UInt8]?
        for _ in 0..<count {
            let length = Int(try reader.readU16("extension length"))
            let type = try reader.readU8("extension type")
            let flags = try reader.readU8("extension flags")
            let data = try reader.readBytes(length, "extension body")
            if type == 4 {
                guard length == 32 else { throw ProtoError.badCertificate("signed-with-key extension of length \(length)") }
                signingKey = data
            } else if flags & 1 != 0 {
                throw ProtoError.badCertificate("unknown extension \(type) marked as affecting validation")
            }
            extensions.append(Extension(type: type, flags: flags, data: data))
        }
        let signedLength = reader.offset
        signature = try reader.readBytes(64, "cert signature")
        guard reader.isAtEnd else {
            throw ProtoError.badCertificate("\(reader.remaining) trailing bytes after the signature")
        }
        self.extensions = extensions
        self.signingKey = signingKey
        signedBytes = Array(bytes[0..<signedLength])
    }

    /// Checks the type, signature (by `signer`, or the embedded key if `signer` is nil) and expiry.
    /// - Returns: the key that signed it.
    @discardableResult
    public func validate(expectedType: UInt8, signer: [UInt8]? = nil, now: Date) throws -> [UInt8] {
        guard certType == expectedType else {
            throw ProtoError.badCertificate("certificate type \(certType), expected \(expectedType)")
        }
        guard let key = signer ?? signingKey else {
            throw ProtoError.badCertificate("type \(certType) certificate names no signing key")
        }
        if let embedded = signingKey, embedded != key {
            throw ProtoError.badCertificate("type \(certType) certificate was signed by an unexpected key")
        }
        guard Ed25519.verify(signature: signature, message: signedBytes, publicKey: key) else {
            throw ProtoError.badCertificate("type \(certType) certificate signature does not verify")
        }
        guard expiration > now else {
            throw ProtoError.badCertificate("type \(certType) certificate expired at \(expiration)")
        }
        return key
    }
}
