import XCTest
@testable import TorDirectory
import TorProto

final class ConsensusVerifierTests: XCTestCase {
    func verifier(_ authorities: [DirAuthority] = Fixture.testAuthorities,
                  certificates: [AuthorityCertificate]? = nil) throws -> ConsensusVerifier {
        ConsensusVerifier(authorities: authorities, certificates: try certificates ?? Fixture.testCertificates())
    }

    func testArtiConsensusVerifies() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        XCTAssertEqual(consensus.signatures.count, 3)
        XCTAssertEqual(consensus.signatures.map(\.algorithm), ["sha256", "sha256", "sha256"])
        XCTAssertEqual(consensus.routers.count, 6)
        XCTAssertEqual(consensus.votingInterval, 20)
        let result = try verifier().verify(consensus, now: Fixture.mdNow)
        XCTAssertEqual(result.signers, ["test000a", "test001a", "test002a"])
        XCTAssertTrue(result.problems.isEmpty)
        XCTAssertTrue(result.isLive)
        XCTAssertFalse(result.isFresh)
    }

    func testAlteredByteIsRejected() throws {
        let text = try Fixture.bytes("mdconsensus1.txt")
        let consensus = try Consensus(replacing(text, "w Bandwidth=0 Unmeasured=1", "w Bandwidth=1 Unmeasured=1"))
        XCTAssertThrowsError(try verifier().verify(consensus, now: Fixture.mdNow)) { error in
            XCTAssertEqual("\(error)", "only 0 of 3 authorities signed (need 2): test000a signature does not verify; "
                + "test001a signature does not verify; test002a signature does not verify")
        }
    }

    func testTooFewSignatures() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        // Three more configured authorities: 3 of 6 is not a majority.
        var authorities = Fixture.testAuthorities
        for (index, name) in ["extra1", "extra2", "extra3"].enumerated() {
            authorities.append(DirAuthority(nickname: name, address: "127.0.0.1", dirPort: 7010 + UInt16(index), orPort: 5010,
                                            fingerprint: [UInt8](repeating: 9, count: 20),
                                            v3Identity: [UInt8](repeating: UInt8(index + 1), count: 20)))
        }
        XCTAssertThrowsError(try verifier(authorities).verify(consensus, now: Fixture.mdNow)) { error in
            XCTAssertEqual("\(error)", "only 3 of 6 authorities signed (need 4): extra1 did not sign; extra2 did not sign; extra3 did not sign")
        }
        // Only one certificate known.
        let oneCert = try [Fixture.testCertificates()[1]]
        XCTAssertThrowsError(try verifier(certificates: oneCert).verify(consensus, now: Fixture.mdNow)) { error in
            XCTAssertEqual("\(error)", "only 1 of 3 authorities signed (need 2): "
                + "test001a has no certificate for signing key F6ED4AA64D83CAEDE34E19693A7FCF331AAE8A6A; "
                + "test002a has no certificate for signing key D3C013E0E6C82E246090D1C0798B75FCB7ACF120")
        }
        // Two of three is enough.
        let twoCerts = try Array(Fixture.testCertificates().prefix(2))
        XCTAssertEqual(try verifier(certificates: twoCerts).verify(consensus, now: Fixture.mdNow).signers, ["test000a", "test001a"])
    }

    func testTamperedCertificateDoesNotCount() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        var certs = try Fixture.testCertificates()
        certs[0] = try AuthorityCertificate(replacing(certs[0].text, "dir-key-published 2020-08-07 12:40:25", "dir-key-published 2020-08-07 12:40:24"))
        let result = try verifier(certificates: certs).verify(consensus, now: Fixture.mdNow)
        XCTAssertEqual(result.signers, ["test000a", "test002a"])
        XCTAssertEqual(result.problems.count, 1)
        XCTAssertTrue(result.problems[0].contains("test001a certificate rejected"), result.problems[0])
    }

    func testValidityWindow() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        let v = try verifier()
        XCTAssertThrowsError(try v.verify(consensus, now: DirTime.parse("2020-08-07 12:42:39")!)) { error in
            XCTAssertEqual("\(error)", "consensus not yet valid until 2020-08-07 12:42:40 UTC (now 2020-08-07 12:42:39 UTC)")
        }
        let late = DirTime.parse("2020-08-07 13:00:00")!
        XCTAssertThrowsError(try v.verify(consensus, now: late)) { error in
            XCTAssertEqual(error as? ConsensusVerificationError, .expired(validUntil: consensus.validUntil, now: late))
            XCTAssertTrue("\(error)".hasPrefix("consensus expired at 2020-08-07 12:43:20 UTC"))
        }
        // "Reasonably live": allowed with slack, flagged as not live.
        let result = try v.verify(consensus, now: late, liveSlack: 3600)
        XCTAssertFalse(result.isLive)
        // Slack is capped at 24 h.
        XCTAssertThrowsError(try v.verify(consensus, now: DirTime.parse("2020-08-09 12:43:21")!, liveSlack: 1e9))
    }

    func testNoAuthorities() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        XCTAssertThrowsError(try ConsensusVerifier(authorities: [], certificates: []).verify(consensus, now: Fixture.mdNow)) { error in
            XCTAssertEqual(error as? ConsensusVerificationError, .noAuthorities)
        }
    }
}
