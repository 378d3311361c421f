import FoundationEssentials
import TorCrypto

/// The identities a relay proved in its CERTS cell (tor-spec §4.2, checklist §1.4).
public struct RelayIdentities: Equatable, Sendable {
    /// SHA-1 of the relay's RSA-1024 identity key (its fingerprint).
    public var rsaIdentity: [UInt8]
    /// The relay's Ed25519 identity key.
    public var ed25519Identity: [UInt8]
}

/// Verifies a relay's CERTS cell the way C tor's client does (`or_handshake_certs_ed25519_ok`).
public enum LinkCertificateVerifier {
    public static let cert2RSAIdentity: UInt8 = 2
    public static let cert4IdentityToSigning: UInt8 = 4
    public static let cert5SigningToTLS: UInt8 = 5
    public static let cert7RSACrossCert: UInt8 = 7

    /// - Parameters:
    ///   - certs: the relay's CERTS cell.
    ///   - tlsCertificateDER: the X.509 certificate the relay presented in TLS.
    ///   - now: the time to check expiry against.
    /// - Returns: the proven identities.
    public static func verify(_ certs: CertsCell, tlsCertificateDER: [UInt8], now: Date) throws -> RelayIdentities {
        func need(_ type: UInt8, _ name: String) throws -> [UInt8] {
            guard let body = certs.certificate(ofType: type) else {
                throw ProtoError.badCertificate("CERTS cell lacks the \(name) certificate (type \(type))")
            }
            return body
        }
        // (a) identity -> signing.
        let identityCert = try Ed25519Certificate(bytes: try need(cert4IdentityToSigning, "identity-to-signing"))
        guard let identity = identityCert.signingKey else {
            throw ProtoError.badCertificate("identity-to-signing certificate does not name the identity key")
        }
        try identityCert.validate(expectedType: cert4IdentityToSigning, signer: identity, now: now)
        let signingKey = identityCert.certifiedKey
        // (b) signing -> TLS link certificate digest.
        let linkCert = try Ed25519Certificate(bytes: try need(cert5SigningToTLS, "signing-to-TLS"))
        try linkCert.validate(expectedType: cert5SigningToTLS, signer: signingKey, now: now)
        guard constantTimeEquals(linkCert.certifiedKey, Hash.sha256(tlsCertificateDER)) else {
            throw ProtoError.badCertificate("the TLS certificate is not the one the relay's signing key certified")
        }
        // (d) RSA identity certificate, self-signed, 1024 bits, in its validity window.
        let rsaCert = try X509Certificate(der: try need(cert2RSAIdentity, "RSA identity"))
        let rsaKey = try rsaCert.rsaPublicKey()
        guard rsaKey.bits == 1024 else { throw ProtoError.badCertificate("RSA identity key has \(rsaKey.bits) bits, not 1024") }
        guard rsaCert.isSignatureValid(by: rsaKey) else {
            throw ProtoError.badCertificate("RSA identity certificate is not validly self-signed")
        }
        guard rsaCert.notBefore.addingTimeInterval(-30 * 86_400) <= now,
              now <= rsaCert.notAfter.addingTimeInterval(2 * 86_400) else {
            throw ProtoError.badCertificate("RSA identity certificate is outside its validity window")
        }
        // (e) RSA -> Ed25519 cross-certificate.
        var cross = ByteReader(try need(cert7RSACrossCert, "RSA-to-Ed25519 cross"))
        let crossKey = try cross.readBytes(32, "cross-cert key")
        let crossExpiration = try cross.readU32("cross-cert expiration")
        let signedLength = cross.offset
        let signatureLength = Int(try cross.readU8("cross-cert signature length"))
        let signature = try cross.readBytes(signatureLength, "cross-cert signature")
        guard cross.isAtEnd else {
            throw ProtoError.badCertificate("RSA cross-certificate has \(cross.remaining) trailing bytes")
        }
        guard crossKey == identity else {
            throw ProtoError.badCertificate("RSA cross-certificate certifies a different Ed25519 identity")
        }
        guard Date(timeIntervalSince1970: TimeInterval(crossExpiration) * 3600) > now else {
            throw ProtoError.badCertificate("RSA cross-certificate has expired")
        }
        let recovered = try rsaKey.recoverSignedData(signature)
        let expected = Hash.sha256(Array("Tor TLS RSA/Ed25519 cross-certificate".utf8) + Array(cross.bytes[0..<signedLength]))
        guard recovered.count >= 32, constantTimeEquals(Array(recovered.prefix(32)), expected) else {
            throw ProtoError.badCertificate("RSA cross-certificate signature does not verify")
        }
        return RelayIdentities(rsaIdentity: rsaKey.fingerprint, ed25519Identity: identity)
    }
}
