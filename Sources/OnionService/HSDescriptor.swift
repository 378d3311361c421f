import FoundationEssentials
import TorCrypto
import TorDirectory
import TorProto

/// The outer (plaintext) layer of a v3 onion-service descriptor (rend-spec-v3 §2.4
/// [DESC-OUTER]), parsed and verified:
///
///     hs-descriptor 3
///     descriptor-lifetime <minutes>
///     descriptor-signing-key-cert   (ED25519 CERT, type 08, signed by A', certifies KP_hs_desc_sign)
///     revision-counter <u64>
///     superencrypted                (MESSAGE: the layer-1 blob)
///     signature <base64>            (by KP_hs_desc_sign over the prefix and everything before)
///
/// Use ``decrypt(subcredential:clientAuthKey:)`` to open the two encrypted layers, or
/// ``decode(_:keys:clientAuthKey:now:)`` for both steps.
public struct HSDescriptor: Sendable {
    /// C tor's maximum descriptor size.
    public static let maximumSize = 50_000
    /// C tor's maximum `descriptor-lifetime` (12 hours).
    public static let maximumLifetimeMinutes = 12 * 60
    static let signaturePrefix = HSPrimitives.ascii("Tor onion service descriptor sig v3")

    /// `descriptor-lifetime` in minutes.
    public let lifetimeMinutes: Int
    /// The certificate binding the descriptor signing key to the blinded key.
    public let signingKeyCertificate: Ed25519Certificate
    /// `KP_hs_desc_sign`: signs the descriptor and the intro-point certificates.
    public let signingKey: [UInt8]
    /// `revision-counter`.
    public let revisionCounter: UInt64
    /// The blinded key `A'` this descriptor was checked against.
    public let blindedPublicKey: [UInt8]
    /// The layer-1 blob (`SALT | ENCRYPTED | MAC`).
    public let superencrypted: [UInt8]

    /// When the signing certificate expires.
    public var expiration: Date { signingKeyCertificate.expiration }
    /// The time the certificates were checked against (the inner layer's are checked against it too).
    public let checkedAt: Date

    /// Parses the outer layer and checks the certificate (type, blinded key, signature, expiry)
    /// and the descriptor signature.
    public init(_ text: [UInt8], blindedPublicKey: [UInt8], now: Date) throws(HSDescriptorError) {
        guard text.count <= Self.maximumSize else { throw .tooLarge(size: text.count) }
        let document: NetDocument
        do { document = try NetDocument(text) } catch { throw .malformed(line: nil, detail: "\(error)") }
        let layer = "outer layer"
        let items = document.items
        guard let first = items.first, first.keyword == "hs-descriptor" else {
            throw .malformed(line: items.first?.line, detail: "the document does not start with 'hs-descriptor'")
        }
        guard first.arguments == ["3"] else {
            throw .malformed(line: first.line, detail: "unsupported descriptor version '\(first.arguments.joined(separator: " "))'")
        }
        let lifetimeItem = try DescriptorLayer.exactlyOnce("descriptor-lifetime", in: items, layer: layer)
        let certItem = try DescriptorLayer.exactlyOnce("descriptor-signing-key-cert", in: items, layer: layer)
        let revisionItem = try DescriptorLayer.exactlyOnce("revision-counter", in: items, layer: layer)
        let superencryptedItem = try DescriptorLayer.exactlyOnce("superencrypted", in: items, layer: layer)
        let signatureItem = try DescriptorLayer.exactlyOnce("signature", in: items, layer: layer)
        guard signatureItem == items.last else {
            throw .malformed(line: signatureItem.line, detail: "'signature' must be the last line")
        }

        guard lifetimeItem.arguments.count == 1, let lifetime = Int(lifetimeItem.arguments[0]),
              lifetime > 0, lifetime <= Self.maximumLifetimeMinutes else {
            throw .malformed(line: lifetimeItem.line, detail: "descriptor-lifetime must be 1…720 minutes")
        }
        guard revisionItem.arguments.count == 1, let revision = UInt64(revisionItem.arguments[0]) else {
            throw .malformed(line: revisionItem.line, detail: "revision-counter must be an unsigned number")
        }
        guard let certObject = certItem.object, certObject.tag == "ED25519 CERT" else {
            throw .malformed(line: certItem.line, detail: "descriptor-signing-key-cert needs an ED25519 CERT object")
        }
        guard let blob = superencryptedItem.object, blob.tag == "MESSAGE" else {
            throw .malformed(line: superencryptedItem.line, detail: "superencrypted needs a MESSAGE object")
        }
        guard signatureItem.arguments.count == 1,
              let signature = decodeBase64Lenient(signatureItem.arguments[0]), signature.count == 64 else {
            throw .malformed(line: signatureItem.line, detail: "signature must be 64 bytes of base64")
        }

        // The signing-key certificate: type 08, carries A' (extension 4), signed by A'.
        let certificate: Ed25519Certificate
        do { certificate = try Ed25519Certificate(bytes: certObject.bytes) } catch {
            throw .malformed(line: certItem.line, detail: "descriptor-signing-key-cert: \(error)")
        }
        guard certificate.certType == Ed25519Certificate.CertType.hsBlindedToDescSigning,
              certificate.certifiedKeyType == 1 else {
            throw .malformed(line: certItem.line,
                             detail: "descriptor-signing-key-cert has type \(certificate.certType), expected 8")
        }
        guard let certSigner = certificate.signingKey,
              constantTimeEquals(certSigner, blindedPublicKey) else { throw .wrongBlindedKey }
        guard Ed25519.verify(signature: certificate.signature, message: certificate.signedBytes,
                             publicKey: blindedPublicKey) else { throw .badSignature }

        // The descriptor signature covers everything before the "signature" line.
        let signedEnd = signatureItem.startOffset
        guard signedEnd > 0, text[signedEnd - 1] == 0x0A,
              text[signedEnd...].starts(with: HSPrimitives.ascii("signature ")) else {
            throw .malformed(line: signatureItem.line, detail: "the signature line must start at the beginning of a line")
        }
        let signedMessage = Self.signaturePrefix + text[0..<signedEnd]
        guard Ed25519.verify(signature: signature, message: signedMessage, publicKey: certificate.certifiedKey) else {
            throw .badSignature
        }
        guard certificate.expiration > now else { throw .expired }

        lifetimeMinutes = lifetime
        signingKeyCertificate = certificate
        checkedAt = now
        signingKey = certificate.certifiedKey
        revisionCounter = revision
        self.blindedPublicKey = blindedPublicKey
        superencrypted = blob.bytes
    }

    /// Parses and verifies `text` (a UTF-8 string).
    public init(_ text: String, blindedPublicKey: [UInt8], now: Date) throws(HSDescriptorError) {
        try self.init(Array(text.utf8), blindedPublicKey: blindedPublicKey, now: now)
    }

    /// Opens layer 1 (superencrypted) and parses its client-authorization lines.
    public func decryptFirstLayer(subcredential: [UInt8]) throws(HSDescriptorError) -> HSDescriptorFirstLayer {
        let plaintext: [UInt8]
        do {
            plaintext = try HSDescriptorEncryption.decrypt(
                blob: superencrypted, secretData: blindedPublicKey, subcredential: subcredential,
                revisionCounter: revisionCounter, constant: HSDescriptorEncryption.superencryptedConstant)
        } catch {
            throw .malformed(line: nil, detail: "the superencrypted layer does not authenticate (wrong subcredential or damaged data)")
        }
        return try HSDescriptorFirstLayer(plaintext)
    }

    /// Opens both encrypted layers and parses the introduction points.
    ///
    /// - Parameters:
    ///   - subcredential: `N_hs_subcred` of the address and period (``BlindedKeys/subcredential``).
    ///   - clientAuthKey: our x25519 client-authorization key for this service, if any.
    /// - Throws: ``HSDescriptorError/clientAuthorizationRequired`` when the inner layer needs a
    ///   key we do not have, ``HSDescriptorError/clientAuthorizationRejected`` when our key is
    ///   not among the authorized clients.
    public func decrypt(subcredential: [UInt8], clientAuthKey: X25519PrivateKey? = nil)
        throws(HSDescriptorError) -> HSDescriptorContent {
        let firstLayer = try decryptFirstLayer(subcredential: subcredential)
        var cookie: [UInt8]?
        if let clientAuthKey {
            cookie = firstLayer.descriptorCookie(clientKey: clientAuthKey, subcredential: subcredential)
        }
        func open(_ secretData: [UInt8]) -> [UInt8]? {
            try? HSDescriptorEncryption.decrypt(
                blob: firstLayer.encrypted, secretData: secretData, subcredential: subcredential,
                revisionCounter: revisionCounter, constant: HSDescriptorEncryption.encryptedConstant)
        }
        let plaintext: [UInt8]
        if let cookie {
            guard let opened = open(blindedPublicKey + cookie) else {
                // Our client ID is listed but the cookie does not open the layer.
                throw .clientAuthorizationRejected
            }
            plaintext = opened
        } else if let opened = open(blindedPublicKey) {
            // No client authorization in use (the auth-client lines are fakes).
            plaintext = opened
        } else {
            throw clientAuthKey == nil ? .clientAuthorizationRequired : .clientAuthorizationRejected
        }
        return try HSDescriptorContent(plaintext, signingKey: signingKey,
                                       usedClientAuthorization: cookie != nil, now: checkedAt)
    }

    /// Parses, verifies and decrypts a descriptor fetched for `keys` in one step.
    public static func decode(_ text: [UInt8], keys: BlindedKeys, clientAuthKey: X25519PrivateKey? = nil,
                              now: Date) throws(HSDescriptorError) -> HSDescriptorContent {
        let outer = try HSDescriptor(text, blindedPublicKey: keys.blindedPublicKey, now: now)
        return try outer.decrypt(subcredential: keys.subcredential, clientAuthKey: clientAuthKey)
    }
}

/// Helpers shared by the three descriptor layers.
enum DescriptorLayer {
    /// The single item with `keyword`; `.malformed` when missing or repeated.
    static func exactlyOnce(_ keyword: String, in items: [NetDocument.Item],
                            layer: String) throws(HSDescriptorError) -> NetDocument.Item {
        let matches = items.filter { $0.keyword == keyword }
        guard let item = matches.first else {
            throw .malformed(line: nil, detail: "\(layer): required line '\(keyword)' is missing")
        }
        guard matches.count == 1 else {
            throw .malformed(line: matches[1].line, detail: "\(layer): '\(keyword)' may appear only once")
        }
        return item
    }

    /// Base64 (padding optional) of exactly `length` bytes, or `.malformed`.
    static func base64(_ text: String, length: Int, what: String, item: NetDocument.Item,
                       layer: String) throws(HSDescriptorError) -> [UInt8] {
        guard let bytes = decodeBase64Lenient(text), bytes.count == length else {
            throw .malformed(line: item.line, detail: "\(layer): \(what) must be \(length) bytes of base64")
        }
        return bytes
    }
}
