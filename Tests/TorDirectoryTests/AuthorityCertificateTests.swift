import XCTest
@testable import TorDirectory
import TorProto

final class AuthorityCertificateTests: XCTestCase {
    func testParseAndVerifyArtiCertificates() throws {
        let certs = try Fixture.testCertificates()
        XCTAssertEqual(certs.map { upperHex($0.fingerprint) }, [
            "5696AB38CB3852AFA476A5C07B2D4788963D5567", "5A23BA701776C9C1AB1C06E734E92AB3D5350D64",
            "7C47DCB4A90E2C2B7C7AD27BD641D038CF5D7EBE",
        ])
        let trusted = Fixture.testAuthorities.compactMap(\.v3Identity)
        for cert in certs {
            XCTAssertNoThrow(try cert.verify(trustedIdentities: trusted, now: Fixture.mdNow), "\(upperHex(cert.fingerprint))")
            XCTAssertEqual(cert.identityKey.bits, 3072)
            XCTAssertEqual(cert.signingKey.bits, 2048)
            XCTAssertEqual(cert.dirAddress?.hasPrefix("127.0.0.1:700"), true)
        }
        XCTAssertEqual(upperHex(certs[0].signingKeyDigest), "F6ED4AA64D83CAEDE34E19693A7FCF331AAE8A6A")
        XCTAssertEqual(DirTime.format(certs[0].expires), "2021-08-07 12:40:25")
    }

    func testConcatenatedCertificates() throws {
        let all = try Fixture.bytes("cert-5696.txt") + Fixture.bytes("cert-5A23.txt") + Fixture.bytes("cert-7C47.txt")
        let certs = try AuthorityCertificate.parseAll(all)
        XCTAssertEqual(certs, try Fixture.testCertificates())
        XCTAssertThrowsError(try AuthorityCertificate(all))
    }

    func testTamperedCertificateFails() throws {
        let text = try Fixture.bytes("cert-5696.txt")
        let altered = try AuthorityCertificate(replacing(text, "dir-key-published 2020-08-07 12:40:25", "dir-key-published 2020-08-07 12:40:26"))
        XCTAssertThrowsError(try altered.verify(now: Fixture.mdNow)) { error in
            XCTAssertEqual(error as? AuthorityCertificateError, .badCertification(fingerprint: "5696AB38CB3852AFA476A5C07B2D4788963D5567"))
        }
        // A fingerprint line that does not match the identity key.
        let wrongFP = try AuthorityCertificate(replacing(text, "fingerprint 5696", "fingerprint 5697"))
        XCTAssertThrowsError(try wrongFP.verify(now: Fixture.mdNow)) { error in
            guard case .fingerprintMismatch = error as? AuthorityCertificateError else { return XCTFail("\(error)") }
        }
    }

    func testUntrustedAndExpired() throws {
        let cert = try Fixture.testCertificates()[0]
        XCTAssertThrowsError(try cert.verify(trustedIdentities: [[UInt8](repeating: 1, count: 20)], now: Fixture.mdNow)) { error in
            guard case .untrustedIdentity = error as? AuthorityCertificateError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try cert.verify(now: DirTime.parse("2021-08-07 12:40:26")!)) { error in
            XCTAssertTrue("\(error)".contains("expired at 2021-08-07 12:40:25"), "\(error)")
        }
    }

    func testMalformedCertificates() throws {
        let text = try Fixture.string("cert-5696.txt")
        // Truncated inside the last object.
        XCTAssertThrowsError(try AuthorityCertificate(string: String(text.prefix(text.count - 40))))
        // Missing required line.
        let noFingerprint = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("fingerprint") }.joined(separator: "\n")
        XCTAssertThrowsError(try AuthorityCertificate(string: noFingerprint)) { error in
            XCTAssertEqual(error as? NetDocumentError, .missingKeyword("fingerprint"))
        }
        // Bad base64 in the identity key.
        let badBase64 = text.replacingOccurrences(of: "MIIBigKCAYEA5uDA8p4N", with: "MIIBigKCAYEA5uDA8p4!")
        XCTAssertThrowsError(try AuthorityCertificate(string: badBase64)) { error in
            guard case .malformedObject = error as? NetDocumentError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try AuthorityCertificate(string: ""))
        XCTAssertThrowsError(try AuthorityCertificate(string: "network-status-version 3\n"))
    }
}
