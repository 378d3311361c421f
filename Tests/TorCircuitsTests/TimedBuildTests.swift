import Foundation
import Synchronization
@testable import TorCircuits
import TorDirectory
import XCTest

/// A circuit build bounded by the learned timeout (``TimedBuild``, used by ``CircuitBuilder``):
/// the caller is answered at the timeout, the build goes on to be measured until the close
/// time, and what happened is recorded as C tor records it.
final class TimedBuildTests: XCTestCase {
    private final class Destroyed: Sendable {
        let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Learned from 100 builds of 100 ms: the timeout is 0.1 s (Xm 105 ms capped at the longest
    /// time); `cbtinitialtimeout` 1 s makes the close time 1 s.
    private func learnedTimeouts(_ extra: [String: Int32] = [:]) throws -> (CircuitBuildTimeouts, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("timed-build-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("circuit-timeouts.json")
        try JSONEncoder().encode(CircuitTimeoutState(buildTimesMs: Array(repeating: 100, count: 100))).write(to: file)
        let timeouts = CircuitBuildTimeouts(fileURL: file)
        timeouts.update(from: ConsensusParams(["cbtinitialtimeout": 1000].merging(extra) { $1 }))
        XCTAssertTrue(timeouts.status.isLearned)
        XCTAssertEqual(timeouts.current.timeout, 0.1, accuracy: 1e-9)
        XCTAssertEqual(timeouts.current.close, 1, accuracy: 1e-9)
        return (timeouts, directory)
    }

    private func waitUntil(_ condition: () -> Bool) async {
        for _ in 0..<200 where !condition() { try? await Task.sleep(for: .milliseconds(25)) }
    }

    func testABuildWithinTheTimeoutIsRecorded() async throws {
        let (timeouts, directory) = try learnedTimeouts()
        defer { try? FileManager.default.removeItem(at: directory) }
        let built = try await TimedBuild.run(timeouts: timeouts, destroy: { (_: String) in }) { _, onHop in
            for hop in 1...3 { onHop(hop) }
            return "circuit"
        }
        XCTAssertEqual(built, "circuit")
        XCTAssertEqual(timeouts.samples.count, 101)
        XCTAssertLessThan(timeouts.samples.last ?? .max, 1000)
    }

    /// Past the timeout the caller gets ``TimedBuild/TimedOut`` at once, while the build goes
    /// on: its time to the third hop (0.8 s, beyond the timeout) is still learned from, and the
    /// circuit it made is destroyed rather than used.
    func testASlowBuildFailsTheCallerButIsMeasuredThenDestroyed() async throws {
        let (timeouts, directory) = try learnedTimeouts()
        defer { try? FileManager.default.removeItem(at: directory) }
        let destroyed = Destroyed()
        do {
            _ = try await TimedBuild.run(timeouts: timeouts, destroy: { destroyed.add($0) }) { _, onHop in
                onHop(1)
                onHop(2)
                try await Task.sleep(for: .milliseconds(800))
                onHop(3)
                return "slow circuit"
            }
            XCTFail("the build took longer than the timeout")
        } catch let error as TimedBuild.TimedOut {
            XCTAssertEqual(error.hopsBuilt, 2)
            XCTAssertEqual(error.limit, 0.1, accuracy: 1e-9)
        }
        XCTAssertEqual(timeouts.samples.count, 100, "not measured yet")
        await waitUntil { !destroyed.all.isEmpty }
        XCTAssertEqual(destroyed.all, ["slow circuit"])
        XCTAssertEqual(timeouts.samples.count, 101)
        XCTAssertGreaterThanOrEqual(timeouts.samples.last ?? 0, 800)
    }

    /// A build that never reaches its third hop is cut at the close time and recorded as
    /// abandoned; the hop's own deadline is the time left until then.
    func testABuildStillUnfinishedAtTheCloseTimeIsAbandoned() async throws {
        let (timeouts, directory) = try learnedTimeouts()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hopDeadline = Mutex<TimeInterval>(0)
        do {
            _ = try await TimedBuild.run(timeouts: timeouts, destroy: { (_: String) in }) { hopTimeout, onHop in
                onHop(1)
                let left = hopTimeout()
                hopDeadline.withLock { $0 = left }
                try await Task.sleep(for: .seconds(left))
                throw CircuitError.timedOut("the second hop")
            }
            XCTFail("the build never finished")
        } catch let error as TimedBuild.TimedOut {
            XCTAssertEqual(error.hopsBuilt, 1)
        }
        let deadline = hopDeadline.withLock { $0 }
        XCTAssertLessThanOrEqual(deadline, 1)
        XCTAssertGreaterThan(deadline, 0.5)
        await waitUntil { timeouts.samples.count == 101 }
        XCTAssertEqual(timeouts.samples.last, CircuitBuildTimeEstimator.abandoned)
    }

    /// `cbtmaxtimeouts` (3 here) of the last `cbtrecentcount` (3) builds timing out after their
    /// first hop reset the history: the initial timeout (1 s) is used again. A build stuck at its
    /// first hop does not count toward it.
    func testTimeoutsAfterTheFirstHopResetTheLearnedTimeout() async throws {
        let (timeouts, directory) = try learnedTimeouts(["cbtrecentcount": 3, "cbtmaxtimeouts": 3])
        defer { try? FileManager.default.removeItem(at: directory) }
        func stuckBuild(afterHops hops: Int) async {
            do {
                _ = try await TimedBuild.run(timeouts: timeouts, destroy: { (_: String) in }) { hopTimeout, onHop in
                    for hop in 0..<hops { onHop(hop + 1) }
                    try await Task.sleep(for: .seconds(hopTimeout()))
                    throw CircuitError.timedOut("stuck")
                }
                XCTFail("a stuck build returned")
            } catch {
                XCTAssertTrue(error is TimedBuild.TimedOut, "\(error)")
            }
        }
        await stuckBuild(afterHops: 0)
        await stuckBuild(afterHops: 1)
        await stuckBuild(afterHops: 2)
        XCTAssertTrue(timeouts.status.isLearned, "two timeouts after the first hop, one before it")
        await stuckBuild(afterHops: 1)
        XCTAssertFalse(timeouts.status.isLearned)
        XCTAssertEqual(timeouts.current.timeout, 1)
        XCTAssertEqual(try CircuitTimeoutState.load(Data(contentsOf: directory.appendingPathComponent("circuit-timeouts.json"))).get().buildTimesMs,
                       [], "the reset is saved at once")
    }

    /// A caller that gives up (a losing parallel HSDir attempt) cancels the build; a circuit it
    /// still made is destroyed.
    func testACancelledCallerCancelsTheBuild() async throws {
        let timeouts = CircuitBuildTimeouts(fileURL: nil)
        timeouts.update(from: ConsensusParams(["cbtinitialtimeout": 1000]))
        XCTAssertEqual(timeouts.current.timeout, 1, "unlearned: the 1 s initial timeout")
        let destroyed = Destroyed()
        let started = Mutex(false)
        let caller = Task {
            try await TimedBuild.run(timeouts: timeouts, destroy: { destroyed.add($0) }) { _, onHop in
                started.withLock { $0 = true }
                onHop(1)
                try? await Task.sleep(for: .milliseconds(300))
                return "late circuit"
            }
        }
        await waitUntil { started.withLock { $0 } }
        caller.cancel()
        let result = await caller.result
        XCTAssertThrowsError(try result.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        await waitUntil { !destroyed.all.isEmpty }
        XCTAssertEqual(destroyed.all, ["late circuit"])
    }
}
