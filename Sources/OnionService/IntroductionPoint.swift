import FoundationEssentials
import TorCrypto
import TorDirectory
import TorProto

/// One introduction point from a descriptor's inner layer (rend-spec-v3 §2.5.2.2):
///
///     introduction-point <base64 NSPEC | link specifiers>
///     onion-key ntor <base64 32>           the intro relay's ntor key (for EXTEND2)
///     auth-key  (ED25519 CERT type 09, signed by KP_hs_desc_sign; certifies KP_hs_ipt_sid)
///     enc-key ntor <base64 32>             KP_hss_ntor, the hs-ntor key B
///     enc-key-cert (ED25519 CERT type 0B, signed by KP_hs_desc_sign)
///
/// Like C tor (hs_descriptor.c, `cert_is_valid`), both certificates are checked for type, signer,
/// signature and expiry.
public struct IntroductionPoint: Sendable, Equatable {
    /// The `introduction-point` bytes, `NSPEC | specifiers`, exactly as published: send them
    /// verbatim and in order in the EXTEND2 to this relay.
    public let linkSpecifierBytes: [UInt8]
    /// The same specifiers decoded.
    public let linkSpecifiers: [LinkSpecifier]
    /// The relay's ntor onion key (`onion-key ntor`).
    public let onionKey: [UInt8]
    /// `KP_hs_ipt_sid`, the AUTH_KEY of INTRODUCE1 (certified key of the `auth-key` cert).
    public let authKey: [UInt8]
    public let authKeyCertificate: Ed25519Certificate
    /// `KP_hss_ntor`, the service's hs-ntor key `B` (`enc-key ntor`).
    public let encKey: [UInt8]
    public let encKeyCertificate: Ed25519Certificate

    init(section: [NetDocument.Item], signingKey: [UInt8], now: Date) throws(HSDescriptorError) {
        let layer = "introduction point"
        let head = section[0]
        let line = head.line
        guard head.arguments.count == 1, let specBytes = decodeBase64Lenient(head.arguments[0]) else {
            throw .malformed(line: line, detail: "\(layer): introduction-point needs one base64 argument")
        }
        var reader = ByteReader(specBytes)
        do {
            linkSpecifiers = try LinkSpecifier.decodeList(from: &reader)
        } catch {
            throw .malformed(line: line, detail: "\(layer): bad link specifiers (\(error))")
        }
        guard reader.isAtEnd else {
            throw .malformed(line: line, detail: "\(layer): \(reader.remaining) bytes after the link specifiers")
        }
        linkSpecifierBytes = specBytes

        // onion-key: one or more lines; use the ntor one.
        guard let onionItem = section.first(where: { $0.keyword == "onion-key" && $0.arguments.first == "ntor" }),
              onionItem.arguments.count >= 2 else {
            throw .malformed(line: line, detail: "\(layer): no 'onion-key ntor' line")
        }
        onionKey = try DescriptorLayer.base64(onionItem.arguments[1], length: 32, what: "onion-key",
                                              item: onionItem, layer: layer)

        let authItem = try DescriptorLayer.exactlyOnce("auth-key", in: section, layer: layer)
        authKeyCertificate = try Self.certificate(authItem, type: Ed25519Certificate.CertType.hsDescSigningToIntroAuth,
                                                  signingKey: signingKey, layer: layer, now: now)
        authKey = authKeyCertificate.certifiedKey

        let encItem = try DescriptorLayer.exactlyOnce("enc-key", in: section, layer: layer)
        guard encItem.arguments.first == "ntor", encItem.arguments.count >= 2 else {
            throw .malformed(line: encItem.line, detail: "\(layer): enc-key is not of type ntor")
        }
        encKey = try DescriptorLayer.base64(encItem.arguments[1], length: 32, what: "enc-key", item: encItem, layer: layer)

        let encCertItem = try DescriptorLayer.exactlyOnce("enc-key-cert", in: section, layer: layer)
        encKeyCertificate = try Self.certificate(encCertItem, type: Ed25519Certificate.CertType.hsDescSigningToIntroEnc,
                                                 signingKey: signingKey, layer: layer, now: now)
    }

    /// Parses an `ED25519 CERT` object and checks its type, embedded signer, signature and expiry.
    static func certificate(_ item: NetDocument.Item, type: UInt8, signingKey: [UInt8],
                            layer: String, now: Date) throws(HSDescriptorError) -> Ed25519Certificate {
        guard let object = item.object, object.tag == "ED25519 CERT" else {
            throw .malformed(line: item.line, detail: "\(layer): \(item.keyword) needs an ED25519 CERT object")
        }
        let certificate: Ed25519Certificate
        do { certificate = try Ed25519Certificate(bytes: object.bytes) } catch {
            throw .malformed(line: item.line, detail: "\(layer): \(item.keyword): \(error)")
        }
        guard certificate.certType == type else {
            throw .malformed(line: item.line, detail: "\(layer): \(item.keyword) has certificate type \(certificate.certType), expected \(type)")
        }
        guard let signer = certificate.signingKey, signer == signingKey,
              Ed25519.verify(signature: certificate.signature, message: certificate.signedBytes, publicKey: signingKey) else {
            throw .badSignature
        }
        guard certificate.expiration > now else {
            throw .introductionPointCertificateExpired(keyword: item.keyword, line: item.line, expiredAt: certificate.expiration)
        }
        return certificate
    }
}
