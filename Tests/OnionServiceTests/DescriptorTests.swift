import XCTest
import TorCrypto
import TorProto
@testable import OnionService

/// Descriptors from arti crates/tor-netdoc/testdata (hsdesc1.txt, hsdesc2.txt); constants
/// from arti crates/tor-netdoc/src/doc/hsdesc.rs `mod test_data` and its tests.
final class DescriptorTests: XCTestCase {
    // TEST_DATA_HS_BLIND_ID and TEST_SUBCREDENTIAL.
    let blinded1 = hex("43cc0d62fc6252f578705ca645a46109e265290343b1137e90189744b20b3f2d")
    let subcredential1 = hex("78210A0D2C72BB7A0CAF606BCD938B9A3696894FDDDBC3B87D424753A7E3DF37")
    // TEST_HSID_2 address, period 19397; TEST_SECKEY_2 / TEST_PUBKEY_2.
    let address2 = "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad.onion"
    let clientSecret2 = hex("90F2D60F917F2423F0989CE9979639435A5B01CF7AB3E0A1B900BEB892BAE443")
    let clientPublic2 = hex("900467008E194C2C635A6E335E7724915E558CCB606C50094476F9731C129019")
    let now1 = utc("2023-01-24T03:00:00Z")
    let now2 = utc("2023-02-09T12:00:00Z")

    func keys2() throws -> BlindedKeys {
        try BlindedKeys(address: OnionAddress(address2), period: TimePeriod(validAfter: now2))
    }

    func testHsdesc1DecryptsFully() throws {
        let outer = try HSDescriptor(fixture("hsdesc1.txt"), blindedPublicKey: blinded1, now: now1)
        XCTAssertEqual(outer.lifetimeMinutes, 180)
        XCTAssertEqual(outer.revisionCounter, 19655750)
        XCTAssertEqual(outer.expiration, utc("2023-01-26T03:00:00Z"))
        let first = try outer.decryptFirstLayer(subcredential: subcredential1)
        XCTAssertEqual(first.authType, "x25519")
        XCTAssertEqual(first.authClients.count % 16, 0)
        let content = try outer.decrypt(subcredential: subcredential1)
        XCTAssertEqual(content.create2Formats, [2])
        XCTAssertFalse(content.isSingleOnionService)
        XCTAssertNil(content.introAuthRequired)
        XCTAssertFalse(content.usedClientAuthorization)
        XCTAssertEqual(content.skippedIntroductionPoints, [])
        XCTAssertEqual(content.introductionPoints.count, 3)
        // arti `parse_desc_good`: the first intro point's `ipt_ntor_key`, i.e. its onion-key.
        XCTAssertBytes(content.introductionPoints[0].onionKey,
                       hex("553BF9F9E1979D6F5D5D7D20BB3FE7272E32E22B6E86E35C76A7CA8A377E402F"))
        for point in content.introductionPoints {
            XCTAssertEqual(point.onionKey.count, 32)
            XCTAssertEqual(point.authKey, point.authKeyCertificate.certifiedKey)
            XCTAssertFalse(point.linkSpecifiers.isEmpty)
            var reencoded: [UInt8] = []
            LinkSpecifier.encodeList(point.linkSpecifiers, into: &reencoded)
            XCTAssertEqual(reencoded, point.linkSpecifierBytes)
        }
    }

    func testHsdesc2WithRightClientKey() throws {
        let keys = try keys2()
        let clientKey = try X25519PrivateKey(rawRepresentation: clientSecret2)
        XCTAssertEqual(clientKey.publicKey, clientPublic2)
        let content = try HSDescriptor.decode(fixture("hsdesc2.txt"), keys: keys, clientAuthKey: clientKey, now: now2)
        XCTAssertTrue(content.usedClientAuthorization)
        XCTAssertEqual(content.introductionPoints.count, 3)
        // The cookie is 16 bytes (C HS_DESC_DESCRIPTOR_COOKIE_LEN).
        let outer = try HSDescriptor(fixture("hsdesc2.txt"), blindedPublicKey: keys.blindedPublicKey, now: now2)
        let cookie = try outer.decryptFirstLayer(subcredential: keys.subcredential)
            .descriptorCookie(clientKey: clientKey, subcredential: keys.subcredential)
        XCTAssertEqual(cookie?.count, 16)
    }

    func testHsdesc2WithWrongClientKey() throws {
        let keys = try keys2()
        let wrongKey = try X25519PrivateKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32))
        XCTAssertThrows(HSDescriptorError.clientAuthorizationRejected) {
            try HSDescriptor.decode(fixture("hsdesc2.txt"), keys: keys, clientAuthKey: wrongKey, now: now2)
        }
    }

    func testHsdesc2WithoutClientKey() throws {
        let keys = try keys2()
        XCTAssertThrows(HSDescriptorError.clientAuthorizationRequired) {
            try HSDescriptor.decode(fixture("hsdesc2.txt"), keys: keys, now: now2)
        }
    }

    func testFlippedByteIsBadSignature() throws {
        var text = try fixture("hsdesc1.txt")
        let needle = Array("descriptor-lifetime 180".utf8)
        let start = try XCTUnwrap(text.firstRange(of: needle)).lowerBound
        text[start + needle.count - 1] = UInt8(ascii: "1")  // 180 -> 181
        XCTAssertThrows(HSDescriptorError.badSignature) {
            try HSDescriptor(text, blindedPublicKey: self.blinded1, now: self.now1)
        }
    }

    func testWrongBlindedKeyExpiredAndTooLarge() throws {
        let text = try fixture("hsdesc1.txt")
        XCTAssertThrows(HSDescriptorError.wrongBlindedKey) {
            try HSDescriptor(text, blindedPublicKey: [UInt8](repeating: 12, count: 32), now: self.now1)
        }
        XCTAssertThrows(HSDescriptorError.expired) {
            try HSDescriptor(text, blindedPublicKey: self.blinded1, now: utc("2023-01-26T03:00:01Z"))
        }
        XCTAssertThrows(HSDescriptorError.tooLarge(size: 50_001)) {
            try HSDescriptor(text + [UInt8](repeating: 0x0A, count: 50_001 - text.count),
                             blindedPublicKey: self.blinded1, now: self.now1)
        }
    }

    func testMalformedOuterLayer() throws {
        XCTAssertThrows(HSDescriptorError.malformed(line: 1, detail: "unsupported descriptor version '2'")) {
            try HSDescriptor("hs-descriptor 2\n", blindedPublicKey: self.blinded1, now: self.now1)
        }
        var lines = String(decoding: try fixture("hsdesc1.txt"), as: UTF8.self)
        lines = lines.replacingOccurrences(of: "revision-counter 19655750\n", with: "")
        do {
            _ = try HSDescriptor(lines, blindedPublicKey: blinded1, now: now1)
            XCTFail("a descriptor without revision-counter was accepted")
        } catch {
            guard case let .malformed(_, detail) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertTrue(detail.contains("revision-counter"), detail)
        }
    }

    func testWrongSubcredentialIsReported() throws {
        let outer = try HSDescriptor(fixture("hsdesc1.txt"), blindedPublicKey: blinded1, now: now1)
        XCTAssertThrowsError(try outer.decrypt(subcredential: [UInt8](repeating: 0, count: 32))) { error in
            guard case .malformed = error as? HSDescriptorError else { return XCTFail("unexpected \(error)") }
        }
    }

    /// Like C tor, an intro point whose certificates do not verify is left out, not fatal.
    func testIntroPointWithBadCertificateIsSkipped() throws {
        let outer = try HSDescriptor(fixture("hsdesc1.txt"), blindedPublicKey: blinded1, now: now1)
        let first = try outer.decryptFirstLayer(subcredential: subcredential1)
        let plaintext = try HSDescriptorEncryption.decrypt(
            blob: first.encrypted, secretData: blinded1, subcredential: subcredential1,
            revisionCounter: outer.revisionCounter, constant: HSDescriptorEncryption.encryptedConstant)
        let content = try HSDescriptorContent(plaintext, signingKey: [UInt8](repeating: 9, count: 32),
                                              usedClientAuthorization: false, now: Date())
        XCTAssertEqual(content.introductionPoints.count, 0)
        XCTAssertEqual(content.skippedIntroductionPoints.count, 3)
        XCTAssertEqual(content.skippedIntroductionPoints.first, HSDescriptorError.badSignature.description)
    }

    func testPowParamsAndISOTime() throws {
        XCTAssertEqual(parseISOTime("2016-04-13T12:00:00"), utc("2016-04-13T12:00:00Z"))
        XCTAssertEqual(parseISOTime("1973-05-20 01:50:33"), utc("1973-05-20T01:50:33Z"))
        XCTAssertNil(parseISOTime("2016-13-13T12:00:00"))
        let seed = Base64.encode([UInt8](repeating: 7, count: 32), padding: false)
        let plaintext = Array("""
            create2-formats 2
            flow-control 1-2 31
            pow-params v1 \(seed) 250 2025-08-01T00:00:00
            pow-params v9 something
            some-future-line x

            """.utf8)
        let content = try HSDescriptorContent(plaintext, signingKey: [UInt8](repeating: 0, count: 32),
                                              usedClientAuthorization: false, now: Date())
        XCTAssertEqual(content.flowControl, .init(versions: "1-2", sendmeIncrement: 31))
        XCTAssertEqual(content.powParams.count, 2)
        XCTAssertEqual(content.powParams[0].suggestedEffort, 250)
        XCTAssertEqual(content.powParams[0].seed, [UInt8](repeating: 7, count: 32))
        XCTAssertEqual(content.powParams[0].expiration, utc("2025-08-01T00:00:00Z"))
        XCTAssertEqual(content.powParams[1].type, "v9")
        XCTAssertEqual(content.introductionPoints, [])
    }
}
