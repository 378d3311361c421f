import FoundationEssentials
import TorCrypto
import TorProto

/// A v3 directory authority key certificate (dir-spec §3.1): the authority's long-term identity
/// key certifies a medium-term signing key, which signs consensuses.
///
/// Parsing only checks structure; call ``verify(trustedIdentities:now:)`` before trusting it.
public struct AuthorityCertificate: Sendable, Equatable {
    /// SHA-1 of the identity key's PKCS#1 DER, as listed in the `fingerprint` line (the v3ident).
    public let fingerprint: [UInt8]
    public let identityKey: RSAPublicKey
    public let signingKey: RSAPublicKey
    public let published: Date
    public let expires: Date
    /// `dir-address IP:port`, if present.
    public let dirAddress: String?
    /// The exact text of this certificate (for caching).
    public let text: [UInt8]
    /// SHA-1 over `dir-key-certificate-version` … the newline after `dir-key-certification`.
    public let signedDigest: [UInt8]
    /// The `dir-key-certification` signature (by the identity key).
    public let certification: [UInt8]
    /// The `dir-key-crosscert` signature (by the signing key over SHA-1 of the identity DER).
    public let crossCertification: [UInt8]
    /// Line of `dir-key-certificate-version` in the source text.
    public let line: Int

    /// SHA-1 of the signing key's DER: the `signing-key-digest` in `directory-signature` lines.
    public var signingKeyDigest: [UInt8] { signingKey.fingerprint }

    /// Parses exactly one certificate.
    public init(_ text: [UInt8]) throws {
        let certs = try AuthorityCertificate.parseAll(text)
        guard certs.count == 1 else {
            throw NetDocumentError.wrongDocument("expected one authority certificate, found \(certs.count)")
        }
        self = certs[0]
    }

    public init(string: String) throws { try self.init(Array(string.utf8)) }

    /// Parses a concatenation of certificates (as served by `/tor/keys/…`).
    public static func parseAll(_ text: [UInt8]) throws -> [AuthorityCertificate] {
        let document = try NetDocument(text)
        guard let first = document.items.first else { return [] }
        guard first.keyword == "dir-key-certificate-version" else {
            throw NetDocumentError.wrongDocument("line \(first.line): expected 'dir-key-certificate-version', found '\(first.keyword)'")
        }
        var groups = [ArraySlice<NetDocument.Item>]()
        var start = 0
        for (index, item) in document.items.enumerated() where index > 0 && item.keyword == "dir-key-certificate-version" {
            groups.append(document.items[start..<index])
            start = index
        }
        groups.append(document.items[start...])
        return try groups.map { try AuthorityCertificate(document: document, items: $0) }
    }

    init(document: NetDocument, items: ArraySlice<NetDocument.Item>) throws {
        guard let first = items.first, first.keyword == "dir-key-certificate-version" else {
            throw NetDocumentError.wrongDocument("not an authority certificate")
        }
        guard first.arguments.first == "3" else {
            throw NetDocumentError.badArgument(keyword: first.keyword, value: first.arguments.first ?? "", line: first.line)
        }
        guard let last = items.last, last.keyword == "dir-key-certification" else {
            throw NetDocumentError.wrongDocument("line \(first.line): certificate does not end with 'dir-key-certification'")
        }
        line = first.line
        fingerprint = try items.exactlyOne("fingerprint").hexArgument(0, length: 20)
        published = try DirTime.parse(items.exactlyOne("dir-key-published"))
        expires = try DirTime.parse(items.exactlyOne("dir-key-expires"))
        dirAddress = try items.atMostOne("dir-address")?.argument(0)

        func key(_ keyword: String) throws -> RSAPublicKey {
            let item = try items.exactlyOne(keyword)
            let object = try item.requiredObject(tags: ["RSA PUBLIC KEY"])
            do { return try RSAPublicKey(pkcs1DER: object.bytes) } catch {
                throw NetDocumentError.malformedObject(tag: object.tag, line: item.line, detail: "not an RSA public key")
            }
        }
        identityKey = try key("dir-identity-key")
        signingKey = try key("dir-signing-key")
        crossCertification = try items.exactlyOne("dir-key-crosscert")
            .requiredObject(tags: ["ID SIGNATURE", "SIGNATURE"]).bytes
        let certificationItem = try items.exactlyOne("dir-key-certification")
        certification = try certificationItem.requiredObject(tags: ["SIGNATURE"]).bytes

        let signedEnd = document.keywordLineEnd(of: certificationItem)
        signedDigest = Hash.sha1(Array(document.text[first.startOffset..<signedEnd]))
        text = Array(document.text[first.startOffset..<last.endOffset])
    }

    /// Checks everything dir-spec §3.1 requires: the identity key hashes to `fingerprint` and to one
    /// of `trustedIdentities` (if given), both signatures verify, and `now` is before expiry.
    public func verify(trustedIdentities: [[UInt8]]? = nil, now: Date) throws {
        let name = upperHex(fingerprint)
        guard identityKey.fingerprint == fingerprint else {
            throw AuthorityCertificateError.fingerprintMismatch(fingerprint: name)
        }
        if let trustedIdentities, !trustedIdentities.contains(fingerprint) {
            throw AuthorityCertificateError.untrustedIdentity(fingerprint: name)
        }
        guard let certified = try? identityKey.recoverSignedData(certification),
              certified.count >= signedDigest.count,
              constantTimeEquals(Array(certified.prefix(signedDigest.count)), signedDigest) else {
            throw AuthorityCertificateError.badCertification(fingerprint: name)
        }
        let identityDigest = Hash.sha1(identityKey.pkcs1DER)
        guard let crossed = try? signingKey.recoverSignedData(crossCertification),
              crossed.count >= identityDigest.count,
              constantTimeEquals(Array(crossed.prefix(identityDigest.count)), identityDigest) else {
            throw AuthorityCertificateError.badCrossCertification(fingerprint: name)
        }
        guard now < expires else {
            throw AuthorityCertificateError.expired(fingerprint: name, expires: expires)
        }
    }

    /// Whether ``verify(trustedIdentities:now:)`` passes.
    public func isValid(trustedIdentities: [[UInt8]]? = nil, now: Date) -> Bool {
        (try? verify(trustedIdentities: trustedIdentities, now: now)) != nil
    }

    public static func == (lhs: AuthorityCertificate, rhs: AuthorityCertificate) -> Bool { lhs.text == rhs.text }
}

/// Why an authority certificate was rejected.
public enum AuthorityCertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    case fingerprintMismatch(fingerprint: String)
    case untrustedIdentity(fingerprint: String)
    case badCertification(fingerprint: String)
    case badCrossCertification(fingerprint: String)
    case expired(fingerprint: String, expires: Date)

    public var description: String {
        switch self {
        case let .fingerprintMismatch(fp): return "certificate \(fp): identity key does not hash to its fingerprint"
        case let .untrustedIdentity(fp): return "certificate \(fp): not one of the configured authorities"
        case let .badCertification(fp): return "certificate \(fp): dir-key-certification does not verify"
        case let .badCrossCertification(fp): return "certificate \(fp): dir-key-crosscert does not verify"
        case let .expired(fp, expires): return "certificate \(fp) expired at \(DirTime.format(expires))"
        }
    }
}
