import Foundation
import Synchronization
@testable import TorCircuits
import TorDirectory
import TorProto
import XCTest

/// A clock the tests move forward.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Guard selection by guard-spec (prop 271) with C tor's parameters.
final class GuardSetTests: XCTestCase {
    private func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("guards-\(UUID()).json")
    }

    func testParametersAndRetrySchedulesAreCTors() {
        let defaults = GuardParameters()
        XCTAssertEqual(defaults.minFilteredSample, 20)
        XCTAssertEqual(defaults.primaryCount, 3)
        XCTAssertEqual(defaults.primaryToUse, 1)
        XCTAssertEqual(defaults.guardLifetime, 120 * 86_400)
        XCTAssertEqual(defaults.confirmedMinLifetime, 60 * 86_400)
        XCTAssertEqual(defaults.removeUnlistedAfter, 20 * 86_400)
        XCTAssertEqual(defaults.internetLikelyDownInterval, 600)
        // 20 % of 1000 guards is 200, above the 60 cap; 20 % of 50 is 10, below the minimum 20.
        XCTAssertEqual(defaults.maxSample(guardCount: 1000), 60)
        XCTAssertEqual(defaults.maxSample(guardCount: 50), 20)
        XCTAssertEqual(GuardParameters(ConsensusParams(["guard-n-primary-guards-to-use": 2])).primaryToUse, 2)
        let hour: TimeInterval = 3600
        let primary = [0, 6 * hour, 6 * hour + 1, 96 * hour + 1, 168 * hour + 1].map { GuardParameters.retryDelay(failingFor: $0, primary: true) }
        XCTAssertEqual(primary, [600, 600, 5400, 4 * hour, 9 * hour])
        let other = [0, 6 * hour + 1, 96 * hour + 1, 168 * hour + 1].map { GuardParameters.retryDelay(failingFor: $0, primary: false) }
        XCTAssertEqual(other, [hour, 4 * hour, 18 * hour, 36 * hour])
    }

    func testSampleIsPersistedInOrderAndPrimaryGuardsAreItsFirstThree() async throws {
        let directory = try fixtureDirectory()
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let guards = GuardSet(fileURL: file)
        await guards.update(directory)
        let state = await guards.state
        // Eight possible guards, fewer than the minimum filtered sample: all are sampled.
        XCTAssertEqual(state.sampled.count, 8)
        XCTAssertEqual(Set(state.sampled.map(\.rsaIdentity)).count, 8)
        let primary = await guards.primary
        XCTAssertEqual(primary, Array(state.sampled.prefix(3).map(\.rsaIdentity)))
        let reloaded = GuardSet(fileURL: file)
        await reloaded.update(directory)
        let again = await reloaded.state
        XCTAssertEqual(again.sampled.map(\.rsaIdentity), state.sampled.map(\.rsaIdentity))
        let reloadedPrimary = await reloaded.primary
        XCTAssertEqual(reloadedPrimary, primary)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        // Added dates are randomized up to a tenth of the lifetime into the past.
        for entry in state.sampled {
            XCTAssertLessThanOrEqual(entry.addedOn, Date())
            XCTAssertGreaterThan(entry.addedOn, Date().addingTimeInterval(-12 * 86_400 - 60))
        }
    }

    func testPrimaryGuardsAreTriedInOrderThenTheSampleWithOneAttemptEach() async throws {
        let directory = try fixtureDirectory()
        let guards = GuardSet(fileURL: nil)
        await guards.update(directory)
        let sample = await guards.state.sampled.map(\.rsaIdentity)
        func chosen() async throws -> (String, GuardSet.Usability) {
            let choice = try await guards.select(in: directory)
            return (hexString(choice.relay.rsaIdentity), choice.usability)
        }
        for _ in 0..<20 {
            let (id, usability) = try await chosen()
            XCTAssertEqual(id, sample[0], "guard-n-primary-guards-to-use 1: always the first primary guard")
            XCTAssertEqual(usability, .onCompletion)
        }
        for index in 0..<3 {
            let (id, usability) = try await chosen()
            XCTAssertEqual(id, sample[index])
            XCTAssertEqual(usability, .onCompletion)
            await guards.markFailed(directory.relay(rsaIdentity: bytesFromHexForTest(id))!)
        }
        // Every primary guard down: the rest of the sample in order, each tried once while pending.
        let (fourth, fourthUse) = try await chosen()
        XCTAssertEqual(fourth, sample[3])
        XCTAssertEqual(fourthUse, .ifNoBetterGuard)
        let (fifth, _) = try await chosen()
        XCTAssertEqual(fifth, sample[4], "the fourth is still pending")
    }

    func testANonPrimaryGuardIsUsedOnlyOnceThePrimariesAreDownAndTheClientReturnsAfterTheRetryDelay() async throws {
        let directory = try fixtureDirectory()
        let clock = TestClock()
        let guards = GuardSet(fileURL: nil, clock: clock.function)
        await guards.update(directory)
        let sample = await guards.state.sampled.map(\.rsaIdentity)
        let relay = { (id: String) in directory.relay(rsaIdentity: bytesFromHexForTest(id))! }
        // The first primary guard carries a circuit: confirmed, and the client is online.
        let first = try await guards.select(in: directory)
        let usable = await guards.markSucceeded(first.relay, usability: first.usability)
        XCTAssertTrue(usable)
        var confirmed = await guards.state.confirmed
        XCTAssertEqual(confirmed, [sample[0]])
        // All three primary guards fail; the next guard of the sample works.
        for id in sample.prefix(3) { await guards.markFailed(relay(id)) }
        clock.advance(5)
        let fallback = try await guards.select(in: directory)
        XCTAssertEqual(hexString(fallback.relay.rsaIdentity), sample[3])
        let fallbackUsable = await guards.markSucceeded(fallback.relay, usability: fallback.usability)
        XCTAssertTrue(fallbackUsable, "every primary guard is down and the network is up")
        confirmed = await guards.state.confirmed
        XCTAssertEqual(confirmed, [sample[0], sample[3]])
        // A confirmed guard displaces the last unconfirmed primary guard (guard-spec §4.4).
        let primary = await guards.primary
        XCTAssertEqual(primary, [sample[0], sample[3], sample[1]])
        // Before the primary retry delay the fallback stays in use...
        clock.advance(9 * 60)
        let meanwhile = try await guards.select(in: directory)
        XCTAssertEqual(hexString(meanwhile.relay.rsaIdentity), sample[3])
        XCTAssertEqual(meanwhile.usability, .onCompletion, "it is a primary guard now")
        // ...and ten minutes after the last attempt the first primary guard is tried again.
        clock.advance(61)
        let back = try await guards.select(in: directory)
        XCTAssertEqual(hexString(back.relay.rsaIdentity), sample[0])
        let status = await guards.status()
        XCTAssertEqual(status.first?.rsaIdentity, sample[0])
        XCTAssertEqual(status.first?.reachable, .maybe)
    }

    func testAfterTheNetworkWasDownPrimaryGuardsGetAnotherChanceFirst() async throws {
        let directory = try fixtureDirectory()
        let clock = TestClock()
        let guards = GuardSet(fileURL: nil, clock: clock.function)
        await guards.update(directory)
        let sample = await guards.state.sampled.map(\.rsaIdentity)
        let relay = { (id: String) in directory.relay(rsaIdentity: bytesFromHexForTest(id))! }
        // All three primary guards have carried circuits (confirmed), then nothing for 11 minutes.
        for id in sample.prefix(3) { await guards.markSucceeded(relay(id)) }
        clock.advance(11 * 60)
        for id in sample.prefix(3) { await guards.markFailed(relay(id)) }
        let fallback = try await guards.select(in: directory)
        XCTAssertEqual(hexString(fallback.relay.rsaIdentity), sample[3])
        // Confirmed fourth, so not primary: it waits, and the primaries are worth a new try
        // (the failures may have been our own network being down).
        let usable = await guards.markSucceeded(fallback.relay, usability: fallback.usability)
        XCTAssertFalse(usable)
        let primary = await guards.primary
        XCTAssertEqual(primary, Array(sample.prefix(3)))
        let next = try await guards.select(in: directory)
        XCTAssertEqual(hexString(next.relay.rsaIdentity), sample[0])
        // The primaries fail again at once: now the waiting guard is the one to use.
        for id in sample.prefix(3) { await guards.markFailed(relay(id)) }
        let again = try await guards.select(in: directory)
        XCTAssertEqual(hexString(again.relay.rsaIdentity), sample[3])
        let nowUsable = await guards.markSucceeded(again.relay, usability: again.usability)
        XCTAssertTrue(nowUsable)
    }

    func testWhenEveryGuardFailsTheErrorIsBoundedAndTheNextAttemptStartsOver() async throws {
        let directory = try fixtureDirectory()
        let guards = GuardSet(fileURL: nil)
        await guards.update(directory)
        let sample = await guards.state.sampled.map(\.rsaIdentity)
        for id in sample { await guards.markFailed(directory.relay(rsaIdentity: bytesFromHexForTest(id))!) }
        do {
            _ = try await guards.select(in: directory)
            XCTFail("no guard may be tried")
        } catch let error as GuardSelectionError {
            XCTAssertEqual(error, .noGuardReachable(sampled: 8))
            XCTAssertTrue(error.description.contains("firewall"), error.description)
        }
        let again = try await guards.select(in: directory)
        XCTAssertEqual(hexString(again.relay.rsaIdentity), sample[0])
    }

    func testUnlistedGuardsLeaveThePrimariesAndExpireAfterTwentyDays() async throws {
        let clock = TestClock()
        let guards = GuardSet(fileURL: nil, clock: clock.function)
        let full = try liveDirectory()
        await guards.update(full)
        // lisdex, Ukko and Akka are the recorded consensus's guards (Guard, Stable, Fast, V2Dir).
        let sampled = await guards.state.sampled.map(\.nickname)
        XCTAssertEqual(Set(sampled), ["lisdex", "Ukko", "Akka"])
        let withoutUkko = try liveDirectory(consensus: {
            $0.replacingOccurrences(of: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast Guard HSDir",
                                    with: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast HSDir")
        })
        await guards.update(withoutUkko)
        let ukko = await guards.state.sampled.first { $0.nickname == "Ukko" }
        XCTAssertEqual(ukko?.isListed, false)
        XCTAssertNotNil(ukko?.firstUnlistedAt)
        let primaryNames = await guards.status().filter(\.isPrimary).map(\.nickname)
        XCTAssertFalse(primaryNames.contains("Ukko"))
        clock.advance(19 * 86_400 - 4 * 86_400 - 60)
        await guards.update(withoutUkko)
        let stillThere = await guards.state.sampled.contains { $0.nickname == "Ukko" }
        XCTAssertTrue(stillThere, "kept for 20 days (less the randomization)")
        clock.advance(5 * 86_400)
        await guards.update(withoutUkko)
        let gone = await guards.state.sampled.contains { $0.nickname == "Ukko" }
        XCTAssertFalse(gone)
    }

    func testMiddleOnlyRelaysAreNeverSampled() async throws {
        let directory = try liveDirectory(consensus: {
            $0.replacingOccurrences(of: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast Guard HSDir Running",
                                    with: "m PSFWDSIK+sMS6+fkLrc7PSZ6L0Rkscbz2WcmKCDIdOQ\ns Fast Guard HSDir MiddleOnly Running")
        })
        let guards = GuardSet(fileURL: nil)
        await guards.update(directory)
        let names = await guards.state.sampled.map(\.nickname)
        XCTAssertEqual(Set(names), ["lisdex", "Akka"])
    }

    func testCorruptNewerAndVersionOneStateAreHandled() async throws {
        let directory = try fixtureDirectory()
        let file = temporaryFile()
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: file.appendingPathExtension("damaged"))
        }
        try Data("{ not json".utf8).write(to: file)
        let corrupt = GuardSet(fileURL: file)
        let problem = await corrupt.loadProblem
        XCTAssertTrue(problem?.contains("not readable JSON") == true, problem ?? "nil")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.appendingPathExtension("damaged").path))
        await corrupt.update(directory)
        let rebuilt = await corrupt.state.sampled.count
        XCTAssertEqual(rebuilt, 8)
        let reread = await GuardSet(fileURL: file).loadProblem
        XCTAssertNil(reread)
        // A confirmed guard that was never sampled is inconsistent: rebuilt, not trusted in part.
        try Data(#"{"version":2,"sampled":[],"confirmed":["00"]}"#.utf8).write(to: file)
        let inconsistent = await GuardSet(fileURL: file).loadProblem
        XCTAssertTrue(inconsistent?.contains("never sampled") == true, inconsistent ?? "nil")
        try Data(#"{"version":7,"whatever":true}"#.utf8).write(to: file)
        let newer = await GuardSet(fileURL: file).loadProblem
        XCTAssertTrue(newer?.contains("version 7") == true, newer ?? "nil")
        // Version 1 (the old three-guard list) is migrated in order.
        let chosen = directory.relays[5]
        let added = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
        let v1 = #"{"version":1,"guards":[{"rsaIdentity":"\#(hexString(chosen.rsaIdentity))","nickname":"\#(chosen.nickname)","addedAt":"\#(added)"}]}"#
        try Data(v1.utf8).write(to: file)
        let migrated = GuardSet(fileURL: file)
        let migrationProblem = await migrated.loadProblem
        XCTAssertNil(migrationProblem)
        let primary = await migrated.primaryGuards(in: directory)
        XCTAssertEqual(primary.first?.rsaIdentity, chosen.rsaIdentity)
        XCTAssertEqual(primary.count, 3)
    }
}

func bytesFromHexForTest(_ hex: String) -> [UInt8] {
    var bytes = [UInt8]()
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
