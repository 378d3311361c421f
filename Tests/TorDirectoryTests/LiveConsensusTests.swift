import XCTest
@testable import TorDirectory
import TorProto

/// arti's `testdata-live` excerpt of the real network's 2026-07-27 microdesc consensus.
final class LiveConsensusTests: XCTestCase {
    static let names = ["Akka", "Ukko", "d2d4", "lisdex", "moria1"]

    func testParseHeader() throws {
        let c = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        XCTAssertEqual(c.consensusMethod, 35)
        XCTAssertEqual(DirTime.format(c.validAfter), "2026-07-27 10:00:00")
        XCTAssertEqual(DirTime.format(c.freshUntil), "2026-07-27 11:00:00")
        XCTAssertEqual(DirTime.format(c.validUntil), "2026-07-27 13:00:00")
        XCTAssertEqual(c.votingInterval, 3600)
        XCTAssertEqual(c.voteDelay, 300)
        XCTAssertEqual(c.distDelay, 300)
        XCTAssertTrue(c.knownFlags.contains("MiddleOnly"))
        XCTAssertTrue(c.clientVersions.contains("0.4.9.11"))
        XCTAssertEqual(c.requiredClientProtocols.description, "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2")
        XCTAssertEqual(c.recommendedClientProtocols.description,
                       "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4 HSRend=2 Link=4-5 Microdesc=2 Relay=2-4")
        XCTAssertTrue(c.requiredRelayProtocols.supports("LinkAuth", 3))
        XCTAssertTrue(c.recommendedRelayProtocols.supports("HSIntro", 5))
        // onionctl implements everything required of clients.
        XCTAssertTrue(ProtocolVersions.onionctlSupported.missing(from: c.requiredClientProtocols).isEmpty)
        XCTAssertEqual(ProtocolVersions.onionctlSupported.missing(from: c.recommendedClientProtocols).description,
                       "Relay=3")

        XCTAssertEqual(c.params["hsdir_spread_store"], 4)
        XCTAssertEqual(c.params["cc_alg"], 2)
        XCTAssertEqual(c.params.sendmeAcceptMinVersion, 1)
        XCTAssertEqual(c.params.sendmeEmitMinVersion, 1)
        XCTAssertEqual(c.params.circwindow, 1000)
        XCTAssertEqual(c.params.hsdirNReplicas, 2)
        XCTAssertEqual(c.params.hsdirSpreadFetch, 3)
        XCTAssertEqual(c.params.hsdirSpreadStore, 4)
        XCTAssertEqual(c.params.hsdirInterval, 1440)
        XCTAssertEqual(c.params.bwweightscale, 10000)

        XCTAssertEqual(c.sharedRandCurrent?.numReveals, 9)
        XCTAssertEqual(c.sharedRandCurrent?.value, decodeBase64Lenient("zwbAmnMGie00x5rmWGk+lP2rTXK2n0OmkF/1Ih4LcAI="))
        XCTAssertEqual(c.sharedRandPrevious?.value, decodeBase64Lenient("B7WEEFCA6Jb1/tqV05207vqC/eJUlBPr7QemYm5FCCU="))
        XCTAssertEqual(c.sharedRandCurrent?.value.count, 32)

        XCTAssertEqual(c.dirSources.count, 9)
        XCTAssertEqual(c.signatures.count, 9)
        XCTAssertEqual(c.bandwidthWeights["Wgg"], 5960)
        XCTAssertEqual(c.weight("Wmd"), 817)
        XCTAssertEqual(c.weight("Wxx"), 10000)
        XCTAssertEqual(c.signedDigestSHA256.count, 32)
    }

    func testRouters() throws {
        let c = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        XCTAssertEqual(c.routers.count, 5)
        XCTAssertEqual(c.routers.map(\.nickname), ["lisdex", "moria1", "Ukko", "d2d4", "Akka"])
        let lisdex = c.routers[0]
        XCTAssertEqual(lisdex.address, "152.53.144.50")
        XCTAssertEqual(lisdex.addressBytes, [152, 53, 144, 50])
        XCTAssertEqual(lisdex.orPort, 8443)
        XCTAssertEqual(lisdex.dirPort, 0)
        XCTAssertEqual(lisdex.ipv6Addresses, [IPv6Endpoint(address: "2a0a:4cc0:c1:2aac::1", port: 8443)])
        XCTAssertEqual(lisdex.flags, [.fast, .guard, .running, .stable, .v2Dir, .valid])
        XCTAssertEqual(lisdex.bandwidth, 53000)
        XCTAssertFalse(lisdex.isUnmeasured)
        XCTAssertEqual(lisdex.version, "Tor 0.4.9.9")
        XCTAssertTrue(lisdex.protocols.supports("Relay", 4))
        XCTAssertTrue(lisdex.protocols.supports("HSDir", 2))
        XCTAssertEqual(lisdex.rsaIdentity.count, 20)
        XCTAssertEqual(base64NoPad(lisdex.microdescriptorDigest), "vtKpzB+Vw6LlETW6txvAH+1G6gJIl6x1D/N3NZdPK24")

        let moria1 = c.routers[1]
        XCTAssertEqual(moria1.fingerprint, "1A25C6358DB91342AA51720A5038B72742732498")
        XCTAssertTrue(moria1.flags.contains(.authority))
        XCTAssertTrue(moria1.isUnmeasured)
        XCTAssertEqual(moria1.dirPort, 9231)
        XCTAssertTrue(c.routers[3].flags.contains(.exit))
        XCTAssertEqual(c.routers.filter { $0.flags.contains(.hsDir) }.map(\.nickname), ["Ukko", "Akka"])
        XCTAssertEqual(c.router(identity: moria1.rsaIdentity)?.nickname, "moria1")
    }

    func testMicrodescriptorDigestsMatchConsensus() throws {
        let c = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        let wanted = Set(c.routers.map(\.microdescriptorDigest))
        var all = [UInt8]()
        for name in Self.names {
            let text = try Fixture.bytes("live-consensus-microdesc--desc--\(name)")
            let md = try Microdescriptor(text)
            let router = try XCTUnwrap(c.routers.first { $0.nickname == name })
            XCTAssertEqual(md.digest, router.microdescriptorDigest, name)
            XCTAssertEqual(md.ntorOnionKey.count, 32)
            XCTAssertEqual(md.ed25519Identity?.count, 32)
            all += text
        }
        let batch = try Microdescriptor.parseAll(all, wanted: wanted)
        XCTAssertEqual(batch.descriptors.count, 5)
        XCTAssertTrue(batch.unwanted.isEmpty && batch.rejected.isEmpty)
        XCTAssertEqual(Set(batch.descriptors.map(\.digest)), wanted)

        let akka = try XCTUnwrap(batch.byDigest[c.routers[4].microdescriptorDigest])
        XCTAssertEqual(akka.family, ["$303509AB910EF207B7438C27435C4A2FD579F1B1", "$56927E61B51E6F363FB55498150A6DDFCF7077F2"])
        XCTAssertEqual(akka.familyIDs, ["ed25519:xiRC4fYUyj3pROyHeAm5dQerbUMHrLkeOJpG21vff44"])
        XCTAssertEqual(akka.ntorOnionKey, decodeBase64Lenient("KiOnrAtPDoGduyYKe9MBY3aBJ60JYJKbkP5cvF4TRmk"))
        let d2d4 = try XCTUnwrap(batch.byDigest[c.routers[3].microdescriptorDigest])
        XCTAssertEqual(d2d4.policy?.hasPrefix("accept "), true)
        XCTAssertNotNil(d2d4.policy6)

        // Only asked-for digests are accepted.
        let partial = try Microdescriptor.parseAll(all, wanted: [c.routers[0].microdescriptorDigest])
        XCTAssertEqual(partial.descriptors.map(\.digest), [c.routers[0].microdescriptorDigest])
        XCTAssertEqual(partial.unwanted.count, 4)
    }

    func testMalformedMicrodescriptors() throws {
        let good = try Fixture.string("live-consensus-microdesc--desc--Ukko")
        let badKey = good.replacingOccurrences(of: "ntor-onion-key ", with: "ntor-onion-key !")
        let batch = try Microdescriptor.parseAll(Array((badKey + good).utf8), wanted: nil)
        XCTAssertEqual(batch.descriptors.count, 1)
        XCTAssertEqual(batch.rejected.count, 1)
        XCTAssertTrue(batch.rejected[0].reason.contains("ntor-onion-key"), batch.rejected[0].reason)
        // Truncated object.
        XCTAssertThrowsError(try Microdescriptor.parseAll(Array(good.prefix(100).utf8), wanted: nil))
        // Missing ntor key.
        let noNtor = good.split(separator: "\n").filter { !$0.hasPrefix("ntor-onion-key") }.joined(separator: "\n")
        XCTAssertThrowsError(try Microdescriptor(Array(noNtor.utf8)))
        XCTAssertThrowsError(try Microdescriptor.parseAll(Array("family x\n".utf8), wanted: nil))
    }
}
