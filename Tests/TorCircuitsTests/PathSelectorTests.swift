import Foundation
import TorCircuits
import TorDirectory
import XCTest

final class PathSelectorTests: XCTestCase {
    func testFixtureJoinsEveryRouterWithItsMicrodescriptor() throws {
        let directory = try fixtureDirectory()
        XCTAssertEqual(directory.consensus.routers.count, 8)
        XCTAssertEqual(directory.relays.count, 8)
        XCTAssertEqual(directory.completeness, 1.0)
        for relay in directory.relays {
            XCTAssertEqual(relay.microdescriptor.ntorOnionKey.count, 32)
            XCTAssertEqual(relay.extendTarget.linkSpecifiers.count, 3, "IPv4, RSA id, Ed25519 id")
        }
    }

    func testPathsNeverRepeatARelayOnATestingNetwork() throws {
        let selector = PathSelector(directory: try fixtureDirectory(testing: true))
        for _ in 0..<200 {
            let first = try selector.pick(.guard, requiring: [.guard])
            let second = try selector.pick(.middle, excluding: [first])
            let third = try selector.pick(.exit, excluding: [first, second])
            XCTAssertEqual(Set([first.rsaIdentity, second.rsaIdentity, third.rsaIdentity]).count, 3)
            XCTAssertTrue(first.flags.contains(.guard))
        }
    }

    func testSubnetRuleAppliesOffTestingNetworks() throws {
        // Every fixture relay is on 127.0.0.1: outside TestingTorNetwork no two may share a path.
        let selector = PathSelector(directory: try fixtureDirectory(testing: false))
        let first = try selector.pick(.guard, requiring: [.guard])
        XCTAssertThrowsError(try selector.pick(.middle, excluding: [first])) { error in
            XCTAssertTrue("\(error)".contains("no usable relay"), "\(error)")
        }
        let testing = PathSelector(directory: try fixtureDirectory(testing: true))
        XCTAssertNoThrow(try testing.pick(.middle, excluding: [first]))
    }

    /// The fixture's authorities are listed with `Bandwidth=0` (a fresh network's consensus): as in
    /// C tor, they weigh nothing and are never chosen while a relay with bandwidth is left, and are
    /// chosen (uniformly) once only relays without bandwidth are.
    func testRelaysWithoutBandwidthAreChosenOnlyWhenNothingElseIs() throws {
        let directory = try fixtureDirectory()
        let weightless = directory.relays.filter { $0.status.bandwidth == 0 }
        XCTAssertEqual(Set(weightless.map(\.nickname)), ["auth1", "auth2", "auth3"])
        let selector = PathSelector(directory: directory)
        for _ in 0..<300 {
            XCTAssertNotEqual(try selector.pick(.middle).status.bandwidth, 0)
        }
        let onlyWeightless = PathSelector(directory: directory,
                                          avoid: Set(directory.relays.filter { $0.status.bandwidth > 0 }.map(\.rsaIdentity)))
        var seen = Set<String>()
        for _ in 0..<300 { seen.insert(try onlyWeightless.pick(.middle).nickname) }
        XCTAssertEqual(seen, ["auth1", "auth2", "auth3"])
    }

    func testAvoidedRelaysAreSkippedWhileOthersExist() throws {
        let directory = try fixtureDirectory()
        let avoided = Set(directory.relays.dropLast().map(\.rsaIdentity))
        let selector = PathSelector(directory: directory, avoid: avoided)
        for _ in 0..<50 {
            XCTAssertEqual(try selector.pick(.middle).rsaIdentity, directory.relays.last!.rsaIdentity)
        }
    }

    func testRequiredFlagsThatNoRelayHasGiveAClearError() throws {
        let selector = PathSelector(directory: try fixtureDirectory())
        XCTAssertThrowsError(try selector.pick(.exit, requiring: [.badExit])) { error in
            XCTAssertEqual("\(error)", "no usable relay for exit position with flags BadExit in the consensus")
        }
    }
}

final class AsyncQueueTests: XCTestCase {
    func testDeliversInOrderThenEnds() async throws {
        let queue = AsyncQueue<Int>()
        for value in 0..<100 { queue.push(value) }
        queue.finish()
        var seen = [Int]()
        while let value = try await queue.next() { seen.append(value) }
        XCTAssertEqual(seen, Array(0..<100))
    }

    func testFailureArrivesAfterBufferedValues() async throws {
        let queue = AsyncQueue<Int>()
        queue.push(1)
        queue.finish(throwing: CircuitError.closed)
        let first = try await queue.next()
        XCTAssertEqual(first, 1)
        do { _ = try await queue.next(); XCTFail("expected the failure") } catch {
            XCTAssertEqual(error as? CircuitError, .closed)
        }
    }

    func testWaitingConsumerIsWokenAndCancellationIsHonoured() async throws {
        let queue = AsyncQueue<Int>()
        let task = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        queue.push(7)
        let value = try await task.value
        XCTAssertEqual(value, 7)
        let waiting = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        do { _ = try await waiting.value; XCTFail("expected cancellation") } catch {
            XCTAssertTrue(error is CancellationError)
        }
    }

    func testTimeoutFiresOnAStuckWait() async throws {
        let queue = AsyncQueue<Int>()
        do {
            _ = try await withTimeout(0.05, error: CircuitError.timedOut("test")) { try await queue.next() }
            XCTFail("expected a timeout")
        } catch {
            XCTAssertEqual(error as? CircuitError, .timedOut("test"))
        }
    }
}
