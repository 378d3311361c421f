import Foundation
import TorCircuits
import TorDirectory
import TorProto
import XCTest

/// Vanguards-lite (prop 333) with C tor's numbers (`entrynodes.c maintain_layer2_guards`) and the
/// vanguard path rules (`circuitbuild.c build_vanguard_middle_exclude_list`, `route_len_for_purpose`).
final class VanguardsLiteTests: XCTestCase {
    private let day: TimeInterval = 86_400

    func testParametersUseCTorDefaultsAndBounds() {
        let defaults = VanguardsLite.Parameters(ConsensusParams())
        XCTAssertEqual(defaults.count, 4)
        XCTAssertEqual(defaults.lifetime, day...(12 * day))
        XCTAssertEqual(VanguardsLite.Parameters(ConsensusParams(["guard-hs-l2-number": 40])).count, 19)
        XCTAssertEqual(VanguardsLite.Parameters(ConsensusParams(["guard-hs-l2-number": 0])).count, 1)
        let odd = VanguardsLite.Parameters(ConsensusParams(["guard-hs-l2-lifetime-min": 500, "guard-hs-l2-lifetime-max": 100]))
        XCTAssertEqual(odd.lifetime, 500...500)
    }

    func testLayerTwoSetIsPinnedPersistedAndExpiresOneByOne() async throws {
        let directory = try fixtureDirectory()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vanguards-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let vanguards = VanguardsLite(fileURL: file)
        let first = await vanguards.layer2(in: directory, now: now)
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(Set(first.map(\.rsaIdentity)).count, 4)
        XCTAssertTrue(first.allSatisfy { $0.flags.isSuperset(of: [.fast, .stable]) })
        let entries = await vanguards.entries
        for entry in entries {
            XCTAssertGreaterThanOrEqual(entry.expiresAt.timeIntervalSince(now), day)
            XCTAssertLessThanOrEqual(entry.expiresAt.timeIntervalSince(now), 12 * day)
        }
        // Pinned: the same set on every call and after a restart.
        let again = await vanguards.layer2(in: directory, now: now.addingTimeInterval(3600))
        XCTAssertEqual(again.map(\.rsaIdentity), first.map(\.rsaIdentity))
        let reloaded = await VanguardsLite(fileURL: file).layer2(in: directory, now: now.addingTimeInterval(7200))
        XCTAssertEqual(reloaded.map(\.rsaIdentity), first.map(\.rsaIdentity))
        let problem = await VanguardsLite(fileURL: file).loadProblem
        XCTAssertNil(problem)
        // Past the first expiry exactly the expired ones go and the set is topped up again.
        let soonest = try XCTUnwrap(entries.map(\.expiresAt).min())
        let later = await vanguards.layer2(in: directory, now: soonest.addingTimeInterval(1))
        XCTAssertEqual(later.count, 4)
        let kept = entries.filter { $0.expiresAt > soonest.addingTimeInterval(1) }.map(\.rsaIdentity)
        let laterIDs = later.map { hexString($0.rsaIdentity) }
        XCTAssertTrue(kept.allSatisfy(laterIDs.contains), "unexpired vanguards stay")
        let renewed = await vanguards.entries
        XCTAssertTrue(renewed.allSatisfy { $0.expiresAt > soonest.addingTimeInterval(1) })
    }

    func testVanguardsThatLoseStableOrLeaveTheConsensusAreReplaced() async throws {
        // The recorded public excerpt has four Fast+Stable relays (moria1 lacks Fast).
        let full = try liveDirectory()
        let vanguards = VanguardsLite(fileURL: nil)
        let first = await vanguards.layer2(in: full)
        XCTAssertEqual(Set(first.map(\.nickname)), ["Akka", "Ukko", "d2d4", "lisdex"])
        let unstable = try liveDirectory(consensus: { $0.replacingOccurrences(of: "s Exit Fast Running Stable Valid", with: "s Exit Fast Running Valid") })
        let after = await vanguards.layer2(in: unstable)
        XCTAssertEqual(Set(after.map(\.nickname)), ["Akka", "Ukko", "lisdex"], "d2d4 is no longer Stable and nothing else qualifies")
        let entries = await vanguards.entries
        XCTAssertEqual(entries.count, 3)
    }

    func testCorruptOrNewerStateIsReportedAndRebuilt() async throws {
        let directory = try fixtureDirectory()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vanguards-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("{ not json".utf8).write(to: file)
        let corrupt = VanguardsLite(fileURL: file)
        let problem = await corrupt.loadProblem
        XCTAssertTrue(problem?.contains("unreadable") == true, problem ?? "nil")
        let rebuilt = await corrupt.layer2(in: directory)
        XCTAssertEqual(rebuilt.count, 4)
        let reread = await VanguardsLite(fileURL: file).loadProblem
        XCTAssertNil(reread, "the rebuilt file reads back")
        try Data(#"{"version": 99, "layer2": []}"#.utf8).write(to: file)
        let newer = await VanguardsLite(fileURL: file).loadProblem
        XCTAssertTrue(newer?.contains("version 99") == true, newer ?? "nil")
    }

    func testOnionServicePathsPutAPinnedVanguardSecond() async throws {
        let directory = try fixtureDirectory()
        let layer2 = await VanguardsLite(fileURL: nil).layer2(in: directory)
        let pinned = Set(layer2.map(\.rsaIdentity))
        let selector = PathSelector(directory: directory)
        let guardRelay = directory.relays[0]
        let others = directory.relays.dropFirst()
        for _ in 0..<200 {
            let endpoint = try XCTUnwrap(others.randomElement()).rsaIdentity
            // HSDir or introduction point: guard, vanguard, middle (+ endpoint = 4 hops).
            let four = try selector.vanguardPath(guard: guardRelay, layer2: layer2, endpoint: endpoint, hops: 4)
            XCTAssertEqual(four.count, 3)
            XCTAssertTrue(pinned.contains(four[1].rsaIdentity))
            XCTAssertEqual(Set(four.map(\.rsaIdentity) + [endpoint]).count, 4, "no relay twice")
            // Rendezvous point: guard, vanguard (+ endpoint = 3 hops).
            let three = try selector.vanguardPath(guard: guardRelay, layer2: layer2, endpoint: endpoint, hops: 3)
            XCTAssertEqual(three.count, 2)
            XCTAssertTrue(pinned.contains(three[1].rsaIdentity))
            XCTAssertFalse(three.map(\.rsaIdentity).contains(endpoint))
        }
        // The guard as endpoint: allowed on a 4-hop circuit (as C tor), never adjacent to itself.
        let selfEnd = try selector.vanguardPath(guard: guardRelay, layer2: layer2, endpoint: guardRelay.rsaIdentity, hops: 4)
        XCTAssertEqual(selfEnd.count, 3)
        XCTAssertFalse(selfEnd.dropFirst().contains { $0.rsaIdentity == guardRelay.rsaIdentity })
        // On a 3-hop one it would sit on both sides of the vanguard, which relays refuse.
        XCTAssertThrowsError(try selector.vanguardPath(guard: guardRelay, layer2: layer2, endpoint: guardRelay.rsaIdentity,
                                                       hops: 3)) { error in
            XCTAssertEqual(error as? PathError, .endpointIsGuard(guardRelay.displayName))
        }
    }

    func testNoUsableVanguardIsAnErrorNotARandomMiddle() throws {
        let directory = try fixtureDirectory()
        let selector = PathSelector(directory: directory)
        let guardRelay = directory.relays[0], endpoint = directory.relays[1]
        XCTAssertThrowsError(try selector.vanguardPath(guard: guardRelay, layer2: [guardRelay, endpoint],
                                                       endpoint: endpoint.rsaIdentity, hops: 4)) { error in
            XCTAssertTrue("\(error)".contains("layer-2 vanguard"), "\(error)")
        }
    }
}
