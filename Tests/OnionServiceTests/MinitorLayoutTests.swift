import XCTest
import TorCrypto
import TorProto
@testable import OnionService

/// Issue 18: descriptors in the layout a real Minitor (ESP32) publishes — END markers on the
/// same line as the last base64 character — are parsed, decrypted and verified end to end, and
/// still refused when any byte changes after signing. See MinitorDescriptorBuilder for the
/// layout and Fixtures/README.md for `minitor-hsdesc.txt`.
final class MinitorLayoutTests: XCTestCase {
    func builder() throws -> MinitorDescriptorBuilder { try MinitorDescriptorBuilder() }

    func testBuilderWritesMinitorsLayout() throws {
        let text = String(decoding: try builder().descriptor(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 10)
        XCTAssertEqual(Array(lines[0...3]), ["hs-descriptor 3", "descriptor-lifetime 180", "descriptor-signing-key-cert",
                                             "-----BEGIN ED25519 CERT-----"])
        // 140-byte certificate as 187 unpadded base64 characters, END marker on the same line.
        XCTAssertEqual(lines[4].count, 187 + "-----END ED25519 CERT-----".count)
        XCTAssertTrue(lines[4].hasSuffix("-----END ED25519 CERT-----"))
        XCTAssertEqual(lines[5], "revision-counter 1234")
        XCTAssertTrue(lines[8].hasSuffix("-----END MESSAGE-----"))
        XCTAssertFalse(lines[8].contains("="))
        XCTAssertTrue(lines[9].hasPrefix("signature "))
        XCTAssertEqual(lines[9].count, "signature ".count + 86)  // the text ends without a newline
    }

    /// The committed fixture is what the builder writes (so the fixture's keys are the builder's).
    func testFixtureIsTheBuildersOutput() throws {
        XCTAssertEqual(try fixture("minitor-hsdesc.txt"), try builder().descriptor())
    }

    func testMinitorDescriptorDecodesEndToEnd() throws {
        let builder = try builder()
        let text = try fixture("minitor-hsdesc.txt")
        let outer = try HSDescriptor(text, blindedPublicKey: builder.blindedKey.publicKey, now: builder.now)
        XCTAssertEqual(outer.lifetimeMinutes, 180)
        XCTAssertEqual(outer.revisionCounter, 1234)
        XCTAssertEqual(outer.signingKey, builder.signingKey.publicKey)
        XCTAssertEqual(outer.expiration, builder.validAfter.addingTimeInterval(3 * 3600))

        let first = try outer.decryptFirstLayer(subcredential: builder.subcredential)
        XCTAssertEqual(first.authType, "x25519")
        XCTAssertEqual(first.authClients.count, 16)

        let content = try HSDescriptor.decode(text, keys: builder.keys, now: builder.now)
        XCTAssertEqual(content.create2Formats, [2])
        XCTAssertEqual(content.skippedIntroductionPoints, [])
        XCTAssertEqual(content.introductionPoints.count, 3)
        for (point, expected) in zip(content.introductionPoints, builder.introPoints) {
            XCTAssertEqual(point.linkSpecifiers, [.ipv4(address: expected.address, port: expected.port),
                                                  .legacyID(expected.legacyID)])
            XCTAssertEqual(point.linkSpecifierBytes, MinitorDescriptorBuilder.linkSpecifiers(expected))
            XCTAssertEqual(point.onionKey, expected.onionKey)
            XCTAssertEqual(point.authKey, expected.authKey.publicKey)
            XCTAssertEqual(point.encKey, expected.encKey.publicKey)
            // Both intro-point certificates were checked against KP_hs_desc_sign.
            for certificate in [point.authKeyCertificate, point.encKeyCertificate] {
                XCTAssertEqual(certificate.signingKey, builder.signingKey.publicKey)
                XCTAssertTrue(Ed25519.verify(signature: certificate.signature, message: certificate.signedBytes,
                                             publicKey: builder.signingKey.publicKey))
            }
        }
    }

    /// Every byte of the outer layer is covered: a change anywhere after signing is refused,
    /// the tolerant tokenizer notwithstanding.
    func testTamperedMinitorDescriptorIsRefused() throws {
        let builder = try builder()
        let text = try fixture("minitor-hsdesc.txt")
        let string = String(decoding: text, as: UTF8.self)
        func decode(_ bytes: [UInt8]) throws -> HSDescriptorContent {
            try HSDescriptor.decode(bytes, keys: builder.keys, now: builder.now)
        }
        func replacing(_ old: String, _ new: String) -> [UInt8] {
            Array(string.replacingOccurrences(of: old, with: new).utf8)
        }
        // The revision counter.
        XCTAssertThrows(HSDescriptorError.badSignature) { try decode(replacing("revision-counter 1234", "revision-counter 1235")) }
        // The lifetime.
        XCTAssertThrows(HSDescriptorError.badSignature) { try decode(replacing("descriptor-lifetime 180", "descriptor-lifetime 181")) }
        // A base64 character of the superencrypted blob, just before its END marker.
        var blob = text
        let end = try XCTUnwrap(blob.firstRange(of: Array("-----END MESSAGE-----".utf8))).lowerBound
        blob[end - 1] = blob[end - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertThrows(HSDescriptorError.badSignature) { try decode(blob) }
        // Only the layout: the END marker moved to a line of its own (C tor's layout) after signing.
        XCTAssertThrows(HSDescriptorError.badSignature) {
            try decode(replacing("-----END MESSAGE-----", "\n-----END MESSAGE-----"))
        }
        // The certificate's signature (its last base64 character, before the END marker).
        var cert = text
        let certEnd = try XCTUnwrap(cert.firstRange(of: Array("-----END ED25519 CERT-----".utf8))).lowerBound
        cert[certEnd - 2] = cert[certEnd - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertThrows(HSDescriptorError.badSignature) { try decode(cert) }
        // The signature line.
        var signature = text
        signature[signature.count - 5] = signature[signature.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertThrows(HSDescriptorError.badSignature) { try decode(signature) }
        // Not the key this descriptor was made for.
        let other = try MinitorDescriptorBuilder(seed: 2)
        XCTAssertThrows(HSDescriptorError.wrongBlindedKey) { try HSDescriptor.decode(text, keys: other.keys, now: builder.now) }
        // Expired: Minitor's certificates last 3 hours past valid-after.
        XCTAssertThrows(HSDescriptorError.expired) {
            try HSDescriptor.decode(text, keys: builder.keys, now: builder.validAfter.addingTimeInterval(3 * 3600))
        }
        XCTAssertNoThrow(try decode(text))
    }

    /// Inside the encrypted layers the MAC covers the bytes and the intro-point certificates are
    /// checked: an intro point whose certificate was changed (and the layer re-encrypted, as only
    /// the service could) is left out, in Minitor's layout too.
    func testTamperedIntroPointCertificateIsLeftOut() throws {
        let builder = try builder()
        var inner = builder.secondLayerPlaintext()
        let marker = "-----END ED25519 CERT-----"
        let range = try XCTUnwrap(inner.range(of: marker))
        // The second-last base64 character: all its bits are certificate bytes (the signature's).
        let changed = inner.index(range.lowerBound, offsetBy: -2)
        inner.replaceSubrange(changed...changed, with: inner[changed] == "A" ? "B" : "A")
        let content = try HSDescriptor.decode(builder.descriptor(secondLayer: inner), keys: builder.keys, now: builder.now)
        XCTAssertEqual(content.introductionPoints.count, 2)
        XCTAssertEqual(content.skippedIntroductionPoints, [HSDescriptorError.badSignature.description])
    }

    /// The error of issue 18, had the END tag been wrong: it names the object's BEGIN line (4).
    func testMalformedObjectErrorNamesItsBeginLine() throws {
        let builder = try builder()
        let body = builder.outerBody().replacingOccurrences(of: "-----END ED25519 CERT-----", with: "-----END ED25519 KEY-----")
        XCTAssertThrowsError(try HSDescriptor(builder.sign(body), blindedPublicKey: builder.blindedKey.publicKey,
                                              now: builder.now)) { error in
            XCTAssertEqual(error as? HSDescriptorError, .malformed(
                line: nil, detail: "line 4: object ED25519 CERT is malformed (mismatched END line at line 5)"))
            XCTAssertEqual("\(error)", "the onion-service descriptor is malformed: line 4: object ED25519 CERT is malformed (mismatched END line at line 5)")
        }
    }
}
