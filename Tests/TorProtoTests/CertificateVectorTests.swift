import XCTest
import TorCrypto
@testable import TorProto

/// Ed25519 certificates (cert-spec §2.1) from arti `crates/tor-cert/tests/testvec_certs.rs` and
/// `invalid_certs.rs` ("taken from a CERTS cell in a chutney network"; github:zydou/arti, commit
/// cadcd0d3), and the full CERTS cell of `testvec_chanmsg.rs` fn `test_certs` for the link check.
final class Ed25519CertificateVectorTests: XCTestCase {
    static let signingKey = hex("F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B0")
    static let identityKey = hex("DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E9")
    static let notionalTime = date("2020-09-25T02:13:20Z")

    // signing cert signed with the identity key, type 4, one extension.
    static let identityCert = hex("""
        01 04 0006CC2A 01
        F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B0
        01 0020 04 00
        DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E9
        FF1A5203FA27F86EF7528D89A0845D2520166E340754FFEA2AAE0F612B7CE5DA
        094A0236CDAC45034B0B6842C18E7F6B51B93A3CF7E60663B8AD061C30A62602
        """)
    // link cert signed with the signing key, type 5, no extensions.
    static let linkCert = hex("""
        01 05 0006C98A 03
        B4FD606B64E4CBD466B8D76CB131069BAE6F3AA1878857C9F624E31D77A799B8
        00
        7173E5F8068431D0D3F5EE16B4C9FFD59DF373E152A87281BAE744AA5FCF7217
        1BF4B27C4E8FC1C6A9FC5CA11058BC49647063D7903CFD9F512F89099B27BC0C
        """)
    static let tlsCertDigest = hex("B4FD606B64E4CBD466B8D76CB131069BAE6F3AA1878857C9F624E31D77A799B8")

    func testParseIdentityToSigningCert() throws {
        let cert = try Ed25519Certificate(bytes: Self.identityCert)
        XCTAssertEqual(cert.certType, Ed25519Certificate.CertType.identityToSigning)
        XCTAssertEqual(cert.certifiedKeyType, 1)
        XCTAssertEqual(cert.certifiedKey, Self.signingKey)
        XCTAssertEqual(cert.signingKey, Self.identityKey)
        XCTAssertEqual(cert.extensions.count, 1)
        XCTAssertEqual(cert.extensions.first?.type, 4)
        XCTAssertEqual(cert.expirationHours, 0x0006CC2A)
        XCTAssertEqual(cert.expiration, date("2020-10-26T18:00:00Z"))
        XCTAssertEqual(cert.signature, Array(Self.identityCert.suffix(64)))
        XCTAssertEqual(cert.signedBytes, Array(Self.identityCert.dropLast(64)))
    }

    func testValidateIdentityToSigningCert() throws {
        let cert = try Ed25519Certificate(bytes: Self.identityCert)
        XCTAssertEqual(try cert.validate(expectedType: 4, now: Self.notionalTime), Self.identityKey)
        XCTAssertEqual(try cert.validate(expectedType: 4, signer: Self.identityKey, now: Self.notionalTime), Self.identityKey)
        // Wrong key (invalid_certs.rs fn `mismatched_signing_key`).
        let notThatKey = hex("DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96CC")
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 4, signer: notThatKey, now: Self.notionalTime))))
        // Expired: the expiry is 2020-10-26T18:00:00Z.
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 4, now: date("2020-10-26T18:00:01Z")))))
        XCTAssertNoThrow(try cert.validate(expectedType: 4, now: date("2020-10-26T17:59:59Z")))
        // Wrong type.
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 5, now: Self.notionalTime))))
    }

    func testEveryTamperedByteFailsIdentityCert() {
        // Bytes 0..<end: any change breaks parsing, the signature or the embedded key.
        for index in 0..<Self.identityCert.count {
            var bytes = Self.identityCert
            bytes[index] ^= 0x20
            do {
                let cert = try Ed25519Certificate(bytes: bytes)
                XCTAssertThrowsError(try cert.validate(expectedType: 4, signer: Self.identityKey, now: Self.notionalTime),
                                     "byte \(index)") { XCTAssertTrue($0 is ProtoError) }
            } catch {
                XCTAssertTrue(error is ProtoError, "byte \(index): \(error)")
            }
        }
    }

    func testLinkCert() throws {
        let cert = try Ed25519Certificate(bytes: Self.linkCert)
        XCTAssertEqual(cert.certType, Ed25519Certificate.CertType.signingToTLS)
        XCTAssertEqual(cert.certifiedKeyType, 3)
        XCTAssertEqual(cert.certifiedKey, Self.tlsCertDigest)
        XCTAssertNil(cert.signingKey)
        XCTAssertEqual(cert.expiration, date("2020-09-28T18:00:00Z"))
        XCTAssertEqual(try cert.validate(expectedType: 5, signer: Self.signingKey, now: Self.notionalTime), Self.signingKey)
        // It names no signing key, so a signer must be given.
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 5, now: Self.notionalTime))))
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 5, signer: Self.identityKey, now: Self.notionalTime))))
        XCTAssertTrue(isBadCertificate(assertProtoError(try cert.validate(expectedType: 5, signer: Self.signingKey, now: date("2020-09-29T00:00:00Z")))))
        var tampered = Self.linkCert
        tampered[10] ^= 1
        XCTAssertTrue(isBadCertificate(assertProtoError(
            try Ed25519Certificate(bytes: tampered).validate(expectedType: 5, signer: Self.signingKey, now: Self.notionalTime))))
    }

    // invalid_certs.rs fn `cant_parse`.
    func testUnparseableCerts() {
        XCTAssertTrue(isBadCertificate(assertProtoError(try Ed25519Certificate(bytes: hex("03")))))
        // signed-with-key extension of length 0x21
        XCTAssertTrue(isBadCertificate(assertProtoError(try Ed25519Certificate(bytes: hex("""
            01 04 0006CC2A 01
            F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B0
            01 0021 04 00
            DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E9FF
            FF1A5203FA27F86EF7528D89A0845D2520166E340754FFEA2AAE0F612B7CE5DA
            094A0236CDAC45034B0B6842C18E7F6B51B93A3CF7E60663B8AD061C30A62602
            """)))))
        // unrecognized extension with the affects-validation flag
        XCTAssertTrue(isBadCertificate(assertProtoError(try Ed25519Certificate(bytes: hex("""
            01 04 0006CC2A 01
            F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B0
            01 0020 09 01
            DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E9
            FF1A5203FA27F86EF7528D89A0845D2520166E340754FFEA2AAE0F612B7CE5DA
            094A0236CDAC45034B0B6842C18E7F6B51B93A3CF7E60663B8AD061C30A62602
            """)))))
        // Trailing byte and truncation.
        XCTAssertTrue(isBadCertificate(assertProtoError(try Ed25519Certificate(bytes: Self.identityCert + [0]))))
        guard case .truncated = assertProtoError(try Ed25519Certificate(bytes: Array(Self.identityCert.dropLast()))) else {
            return XCTFail("expected truncated")
        }
    }
}

/// `LinkCertificateVerifier` on the CERTS cell captured from C tor (arti `testvec_chanmsg.rs` fn
/// `test_certs`). That cell is a responder's: its type-1 entry is the relay's TLS link
/// certificate, whose SHA-256 is exactly the key certified by the type-5 cert, so the cell and
/// the type-1 body form a complete CERTS + TLS-certificate pair.
final class LinkCertificateVerifierTests: XCTestCase {
    static let notionalTime = Ed25519CertificateVectorTests.notionalTime
    // RSA identity key (PKCS#1 DER) from arti `crates/tor-cert/tests/testvec_certs.rs` fn `test_valid_rsa_cc`.
    static let rsaIdentityKeyDER = hex("30818902818100d38b1e6ceb946e0db0751f4cbace3dcb9688b6c25304227b4710c35afb73627e50500f5913e158b621802612d1c75827003703338375237552eb3cd3c12f6ab3604e60c1a2d26bb1fbad206ff023969a90909d6a65a5458a5312c26ebd3a3dad30302d4515cdcd264146ac18e6fc60a04bd3ec327f04294d96ba5aa25b464c3f0203010001")

    func certs() throws -> CertsCell { try CertsCell(payload: hex(ChannelMessageVectorTests.certsBody)) }

    func tlsCertificate() throws -> [UInt8] { try XCTUnwrap(certs().certificate(ofType: 1)) }

    /// Rebuilds a CERTS payload with one entry's body replaced.
    func payload(replacing type: UInt8? = nil, with body: [UInt8] = [], dropping dropped: UInt8? = nil) throws -> [UInt8] {
        let entries = try certs().entries.filter { $0.type != dropped }
        var out: [UInt8] = [UInt8(entries.count)]
        for entry in entries {
            let bytes = entry.type == type ? body : entry.body
            out.append(entry.type); out.appendU16(UInt16(bytes.count)); out += bytes
        }
        return out
    }

    func testTLSCertificateMatchesLinkCert() throws {
        XCTAssertEqual(Hash.sha256(try tlsCertificate()), Ed25519CertificateVectorTests.tlsCertDigest)
    }

    func testVerifyPasses() throws {
        let identities = try LinkCertificateVerifier.verify(try certs(), tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime)
        XCTAssertEqual(identities.ed25519Identity, Ed25519CertificateVectorTests.identityKey)
        XCTAssertEqual(identities.rsaIdentity, Hash.sha1(Self.rsaIdentityKeyDER))
    }

    func testVerifyFailsWhenAnyCertIsAltered() throws {
        let tls = try tlsCertificate()
        for entry in try certs().entries {
            // A byte in the middle (content) and the last byte (signature) of each certificate.
            for index in [entry.body.count / 2, entry.body.count - 1] {
                var body = entry.body
                body[index] ^= 0x01
                let altered = try CertsCell(payload: try payload(replacing: entry.type, with: body))
                // The TLS certificate the relay presented is the (altered) type-1 body when that
                // is what changed: a different TLS certificate than the one certified.
                let presented = entry.type == 1 ? body : tls
                XCTAssertThrowsError(try LinkCertificateVerifier.verify(altered, tlsCertificateDER: presented, now: Self.notionalTime),
                                     "type \(entry.type), byte \(index)")
            }
        }
    }

    func testVerifyFailsForWrongTLSCertificateOrTime() throws {
        var tls = try tlsCertificate()
        tls[100] ^= 0x40
        XCTAssertTrue(isBadCertificate(assertProtoError(
            try LinkCertificateVerifier.verify(try certs(), tlsCertificateDER: tls, now: Self.notionalTime))))
        // After the type-5 link cert expired (2020-09-28T18:00:00Z).
        XCTAssertTrue(isBadCertificate(assertProtoError(
            try LinkCertificateVerifier.verify(try certs(), tlsCertificateDER: try tlsCertificate(), now: date("2020-09-29T00:00:00Z")))))
        // Long before the RSA identity certificate's notBefore (2020-08-10) minus 30 days.
        XCTAssertThrowsError(try LinkCertificateVerifier.verify(try certs(), tlsCertificateDER: try tlsCertificate(),
                                                                now: date("2020-06-01T00:00:00Z")))
    }

    func testVerifyFailsWhenACertIsMissing() throws {
        for type: UInt8 in [2, 4, 5, 7] {
            let cell = try CertsCell(payload: try payload(dropping: type))
            XCTAssertTrue(isBadCertificate(assertProtoError(
                try LinkCertificateVerifier.verify(cell, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))), "type \(type)")
        }
        // Type 1 is not needed by a client: the TLS certificate comes from the TLS session.
        let withoutLink = try CertsCell(payload: try payload(dropping: 1))
        XCTAssertNoThrow(try LinkCertificateVerifier.verify(withoutLink, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))
    }

    /// C tor `rsa_ed25519_crosscert_check` (src/feature/nodelist/torcert.c) refuses a crosscert
    /// with bytes after the signature: "Unparseable or overlong crosscert".
    func testCrossCertWithTrailingBytesIsRejected() throws {
        let cross = try XCTUnwrap(try certs().certificate(ofType: 7))
        let cell = try CertsCell(payload: try payload(replacing: 7, with: cross + [0]))
        XCTAssertTrue(isBadCertificate(assertProtoError(
            try LinkCertificateVerifier.verify(cell, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))))
        // And one byte short is refused too.
        let short = try CertsCell(payload: try payload(replacing: 7, with: Array(cross.dropLast())))
        XCTAssertThrowsError(try LinkCertificateVerifier.verify(short, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))
    }

    func testVerifyFailsWhenCertsAreSwapped() throws {
        let original = try certs()
        // The link cert in the identity slot and vice versa.
        var swapped = try payload(replacing: 4, with: try XCTUnwrap(original.certificate(ofType: 5)))
        var cell = try CertsCell(payload: swapped)
        swapped = []
        XCTAssertThrowsError(try LinkCertificateVerifier.verify(cell, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))
        // The TLS certificate in the RSA identity slot (2048-bit, not self-signed).
        cell = try CertsCell(payload: try payload(replacing: 2, with: try tlsCertificate()))
        XCTAssertThrowsError(try LinkCertificateVerifier.verify(cell, tlsCertificateDER: try tlsCertificate(), now: Self.notionalTime))
    }
}
