import Foundation
import XCTest
@testable import TorDirectory
import TorProto

final class DirectoryCacheTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("onionctl-cache-test-\(UUID().uuidString)").appendingPathComponent("net-test")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    func testConsensusAndCertificateRoundTrip() throws {
        let cache = DirectoryCache(directory: directory)
        let verifier = ConsensusVerifier(authorities: Fixture.testAuthorities, certificates: try Fixture.testCertificates())
        XCTAssertNil(try cache.loadConsensus(verifier: verifier, now: Fixture.mdNow))
        XCTAssertEqual(try cache.loadCertificates(trusted: Fixture.testAuthorities, now: Fixture.mdNow).valid, [])

        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        try cache.storeConsensus(consensus)
        try cache.storeCertificates(try Fixture.testCertificates())
        let certs = try cache.loadCertificates(trusted: Fixture.testAuthorities, now: Fixture.mdNow)
        XCTAssertEqual(certs.valid, try Fixture.testCertificates())
        XCTAssertTrue(certs.rejected.isEmpty)
        let loaded = try XCTUnwrap(try cache.loadConsensus(
            verifier: ConsensusVerifier(authorities: Fixture.testAuthorities, certificates: certs.valid), now: Fixture.mdNow))
        XCTAssertEqual(loaded.consensus.text, consensus.text)
        XCTAssertEqual(loaded.verification.signers.count, 3)
        // No temporary files left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["cached-certs", "cached-consensus"])
        // Certificates for an authority that is no longer configured are not loaded.
        let fewer = try cache.loadCertificates(trusted: Array(Fixture.testAuthorities.prefix(1)), now: Fixture.mdNow)
        XCTAssertEqual(fewer.valid.count, 1)
        XCTAssertEqual(fewer.rejected.count, 2)
    }

    func testDefaultDirectory() {
        XCTAssertEqual(DirectoryCache.defaultDirectory(networkID: "tor", environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]).path,
                       "/x/cache/onionctl/tor")
        XCTAssertEqual(DirectoryCache.defaultDirectory(networkID: "net-ab", environment: ["XDG_CACHE_HOME": "rel", "HOME": "/home/u"]).path,
                       "/home/u/.cache/onionctl/net-ab")
    }

    func testTamperedConsensusIsRejected() throws {
        let cache = DirectoryCache(directory: directory)
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        try cache.storeConsensus(consensus)
        let path = directory.appendingPathComponent("cached-consensus")
        let tampered = replacing(consensus.text, "r test005r", "r test006r")
        try Data(tampered).write(to: path)
        let verifier = ConsensusVerifier(authorities: Fixture.testAuthorities, certificates: try Fixture.testCertificates())
        XCTAssertThrowsError(try cache.loadConsensus(verifier: verifier, now: Fixture.mdNow)) { error in
            XCTAssertTrue("\(error)".contains("signature does not verify"), "\(error)")
            guard case .invalid = error as? DirectoryCacheError else { return XCTFail("\(error)") }
        }
        try Data("garbage".utf8).write(to: path)
        XCTAssertThrowsError(try cache.loadConsensus(verifier: verifier, now: Fixture.mdNow))
    }

    func testMicrodescriptorsRoundTripAndMissing() throws {
        let cache = DirectoryCache(directory: directory)
        let consensus = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        XCTAssertEqual(try cache.loadMicrodescriptors(for: consensus).missing.count, 5)
        let mds = try LiveConsensusTests.names.map { try Microdescriptor(Fixture.bytes("live-consensus-microdesc--desc--\($0)")) }
        try cache.replaceMicrodescriptors(mds.prefix(3))
        XCTAssertEqual(try cache.loadMicrodescriptors(for: consensus).missing.count, 2)
        try cache.replaceMicrodescriptors(mds)
        var loaded = try cache.loadMicrodescriptors(for: consensus)
        XCTAssertEqual(loaded.found.count, 5)
        XCTAssertTrue(loaded.missing.isEmpty)

        // Tamper with one cached microdescriptor: it is reported missing, the rest still load.
        let path = directory.appendingPathComponent("cached-microdescs")
        let bytes = [UInt8](try Data(contentsOf: path))
        let victim = mds[1]
        let tamperedKey = replacing(victim.text, "ntor-onion-key ", "ntor-onion-key ")
        XCTAssertEqual(tamperedKey, victim.text)
        let idLine = String(decoding: victim.text, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("id ed25519") }!
        var altered = String(idLine); altered.removeLast(); altered += idLine.last == "A" ? "B" : "A"
        try Data(replacing(bytes, String(idLine), altered)).write(to: path)
        loaded = try cache.loadMicrodescriptors(for: consensus)
        XCTAssertEqual(loaded.found.count, 4)
        XCTAssertEqual(loaded.missing, [victim.digest])

        // Replacing keeps only the descriptors given.
        try cache.replaceMicrodescriptors([mds[0]])
        loaded = try cache.loadMicrodescriptors(for: consensus)
        XCTAssertEqual(loaded.found.map(\.digest), [mds[0].digest])
        XCTAssertEqual(loaded.missing.count, 4)
        try cache.clear()
        XCTAssertEqual(try cache.loadMicrodescriptors(for: consensus).missing.count, 5)
    }
}
