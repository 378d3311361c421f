import Foundation
@testable import TorCircuits
import TorDirectory
import XCTest

/// Path rules against the recorded public consensus (path-spec §2.2, dir-spec §3.4.1, C tor
/// `nodes_in_same_family` / `router_can_choose_node`).
final class PathRulesTests: XCTestCase {
    func testRecordedConsensusJoinsEveryRouter() throws {
        let directory = try liveDirectory()
        XCTAssertEqual(directory.relays.map(\.nickname).sorted(), ["Akka", "Ukko", "d2d4", "lisdex", "moria1"])
        XCTAssertEqual(directory.named("Akka").ipv6AddressBytes?.prefix(4), [0x2a, 0x01, 0x04, 0xf9])
        XCTAssertNil(directory.named("moria1").ipv6AddressBytes)
    }

    func testFamilyComesFromMutualFamilyLinesOrASharedFamilyID() throws {
        // As recorded: both sources put Akka and Ukko in one family; lisdex is in none of theirs.
        let both = try liveDirectory()
        XCTAssertTrue(PathRules.inSameFamily(both.named("Akka"), both.named("Ukko")))
        XCTAssertFalse(PathRules.inSameFamily(both.named("Akka"), both.named("lisdex")))
        // Only the family lines (no family-ids): still one family.
        let lines = try liveDirectory(micro: { _, text in dropping("family-ids", from: text) })
        XCTAssertTrue(PathRules.inSameFamily(lines.named("Akka"), lines.named("Ukko")))
        // Only family-ids (no family lines): still one family.
        let ids = try liveDirectory(micro: { _, text in dropping("family ", from: text) })
        XCTAssertTrue(PathRules.inSameFamily(ids.named("Akka"), ids.named("Ukko")))
        // A one-sided family line is no family (both must list each other).
        let oneSided = try liveDirectory(micro: { name, text in
            let noIDs = dropping("family-ids", from: text)
            return name == "Ukko" ? dropping("family ", from: noIDs) : noIDs
        })
        XCTAssertFalse(PathRules.inSameFamily(oneSided.named("Akka"), oneSided.named("Ukko")))
        // The consensus can switch each source off (use-family-ids, use-family-lists).
        let params = ConsensusParams(["use-family-ids": 0])
        XCTAssertFalse(PathRules.inSameFamily(ids.named("Akka"), ids.named("Ukko"), params: params))
        XCTAssertTrue(PathRules.inSameFamily(lines.named("Akka"), lines.named("Ukko"), params: params))
        XCTAssertFalse(PathRules.inSameFamily(lines.named("Akka"), lines.named("Ukko"),
                                              params: ConsensusParams(["use-family-lists": 0])))
    }

    func testSubnetRuleCoversIPv4Slash16AndIPv6Slash32() throws {
        let recorded = try liveDirectory()
        // 95.216.33.58 and 95.216.33.30; 2a01:4f9:2a:2145::2 and ::1.
        XCTAssertTrue(PathRules.inSameSubnet(recorded.named("Akka"), recorded.named("Ukko")))
        XCTAssertFalse(PathRules.inSameSubnet(recorded.named("Akka"), recorded.named("lisdex")))
        // Another IPv4 /16 but the same IPv6 /32: still one subnet.
        let v6 = try liveDirectory(consensus: { $0.replacingOccurrences(of: "95.216.33.30", with: "95.217.33.30") })
        XCTAssertTrue(PathRules.inSameSubnet(v6.named("Akka"), v6.named("Ukko")))
        // And another IPv6 /32 too (2a01:4f8 differs in the second group): apart.
        let apart = try liveDirectory(consensus: {
            $0.replacingOccurrences(of: "95.216.33.30", with: "95.217.33.30")
                .replacingOccurrences(of: "[2a01:4f9:2a:2145::1]", with: "[2a01:4f8:2a:2145::1]")
        })
        XCTAssertFalse(PathRules.inSameSubnet(apart.named("Akka"), apart.named("Ukko")))
        // Same /32 written differently (leading zeros, :: elsewhere) is still recognised.
        let spelled = try liveDirectory(consensus: {
            $0.replacingOccurrences(of: "95.216.33.30", with: "95.217.33.30")
                .replacingOccurrences(of: "[2a01:4f9:2a:2145::1]", with: "[2a01:04f9::7]")
        })
        XCTAssertTrue(PathRules.inSameSubnet(spelled.named("Akka"), spelled.named("Ukko")))
    }

    func testDistinctSubnetsIsASwitchLikeCTorsEnforceDistinctSubnets() throws {
        let noFamily: (String, String) -> String = { _, text in dropping("family", from: text) }
        let enforced = try liveDirectory(enforceDistinctSubnets: true, micro: noFamily)
        XCTAssertFalse(PathSelector(directory: enforced).canShare(enforced.named("Akka"), enforced.named("Ukko")))
        let relaxed = try liveDirectory(enforceDistinctSubnets: false, micro: noFamily)
        XCTAssertTrue(PathSelector(directory: relaxed).canShare(relaxed.named("Akka"), relaxed.named("Ukko")))
        // Relaxing subnets never relaxes families.
        let family = try liveDirectory(enforceDistinctSubnets: false)
        XCTAssertFalse(PathSelector(directory: family).canShare(family.named("Akka"), family.named("Ukko")))
        // The network file decides: on by default, off by default under TestingTorNetwork, and settable.
        let auth = "DirAuthority a orport=1 no-v2 v3ident=0000000000000000000000000000000000000000 127.0.0.1:2 0000000000000000000000000000000000000000\n"
        XCTAssertTrue(try NetworkConfig(parsing: auth).enforceDistinctSubnets)
        XCTAssertFalse(try NetworkConfig(parsing: auth + "TestingTorNetwork 1\n").enforceDistinctSubnets)
        let forced = try NetworkConfig(parsing: auth + "TestingTorNetwork 1\nEnforceDistinctSubnets 1\n")
        XCTAssertTrue(forced.enforceDistinctSubnets)
        XCTAssertEqual(try NetworkConfig(parsing: forced.fileText), forced)
        XCTAssertThrowsError(try NetworkConfig(parsing: auth + "EnforceDistinctSubnets yes\n"))
    }

    func testPathsNeverRepeatARelayNorJoinAFamilyOrSubnet() throws {
        let directory = try liveDirectory()
        let selector = PathSelector(directory: directory)
        for _ in 0..<300 {
            let entry = try selector.pick(.guard, requiring: [.guard])
            let middle = try selector.pick(.middle, excluding: [entry])
            let exit = try selector.pick(.exit, requiring: [.exit], excluding: [entry, middle])
            let path = [entry, middle, exit]
            XCTAssertEqual(Set(path.map(\.rsaIdentity)).count, 3)
            XCTAssertFalse(Set(path.map(\.nickname)).isSuperset(of: ["Akka", "Ukko"]), "\(path.map(\.nickname))")
        }
    }

    func testMiddleOnlyRelaysAreOnlyEverMiddleHops() throws {
        // Mark Ukko MiddleOnly but leave its other flags, as a consensus from before method 32 would.
        let directory = try liveDirectory(consensus: {
            $0.replacingOccurrences(of: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast Guard HSDir Running",
                                    with: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast Guard HSDir MiddleOnly Running")
        })
        let ukko = directory.named("Ukko")
        XCTAssertTrue(ukko.flags.contains(.middleOnly))
        XCTAssertTrue(PathRules.may(ukko, serveAs: .middle))
        for position in [PathPosition.guard, .exit, .directory, .onionServiceEndpoint] {
            XCTAssertFalse(PathRules.may(ukko, serveAs: position), "\(position)")
        }
        let selector = PathSelector(directory: directory)
        var middles = Set<String>()
        for _ in 0..<400 {
            XCTAssertNotEqual(try selector.pick(.onionServiceEndpoint, requiring: [.fast, .stable]).nickname, "Ukko")
            XCTAssertNotEqual(try selector.pick(.guard, requiring: [.guard]).nickname, "Ukko")
            middles.insert(try selector.pick(.middle).nickname)
        }
        XCTAssertTrue(middles.contains("Ukko"), "a MiddleOnly relay still serves as a middle hop")
        // With only Ukko left an endpoint is refused outright rather than falling back to it.
        let onlyUkko = PathSelector(directory: directory)
        XCTAssertThrowsError(try onlyUkko.pick(.onionServiceEndpoint, where: { $0.nickname == "Ukko" }))
    }

    func testWeightsFollowTheRecordedBandwidthWeights() throws {
        let directory = try liveDirectory()
        let selector = PathSelector(directory: directory)
        // Wgg=5960 Wmg=4040 Wee=10000 Wme=0 Wmm=10000 (bwweightscale 10000).
        XCTAssertEqual(selector.weight(of: directory.named("Akka"), position: .guard), 100_000 * 0.5960, accuracy: 0.001)
        XCTAssertEqual(selector.weight(of: directory.named("Akka"), position: .middle), 100_000 * 0.4040, accuracy: 0.001)
        XCTAssertEqual(selector.weight(of: directory.named("Akka"), position: .onionServiceEndpoint), 100_000 * 0.4040, accuracy: 0.001)
        XCTAssertEqual(selector.weight(of: directory.named("d2d4"), position: .exit), 31_000, accuracy: 0.001)
        XCTAssertEqual(selector.weight(of: directory.named("d2d4"), position: .middle), 0)
        XCTAssertEqual(selector.weight(of: directory.named("d2d4"), position: .guard), 0)
        XCTAssertEqual(selector.weight(of: directory.named("moria1"), position: .middle), 20, accuracy: 0.001)
        // Guards drawn in proportion to bandwidth × Wgg: lisdex 53000, Ukko 82000, Akka 100000.
        var counts = [String: Int]()
        let draws = 6000
        for _ in 0..<draws { counts[try selector.pick(.guard, requiring: [.guard]).nickname, default: 0] += 1 }
        let total = 235_000.0
        for (name, bandwidth) in [("lisdex", 53_000.0), ("Ukko", 82_000.0), ("Akka", 100_000.0)] {
            // ±0.05 is more than eight standard deviations of a share at 6000 draws.
            XCTAssertEqual(Double(counts[name, default: 0]) / Double(draws), bandwidth / total, accuracy: 0.05, name)
        }
    }
}
