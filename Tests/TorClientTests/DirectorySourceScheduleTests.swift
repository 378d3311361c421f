import Foundation
import TorCircuits
@testable import TorClient
import XCTest

/// The order directory sources are tried in and the backoff of those that failed.
final class DirectorySourceScheduleTests: XCTestCase {
    private func source(_ name: String) -> DirectorySourceSchedule.Source {
        DirectorySourceSchedule.Source(address: RelayAddress(host: "127.0.0.1", port: 1), identity: [], name: name)
    }

    func testAFailedSourceWaitsAndTheNextOneIsTriedMeanwhile() {
        var schedule = DirectorySourceSchedule(sources: [source("fallback a"), source("fallback b"), source("authority c")])
        let start = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertEqual(schedule.next(at: start)?.name, "fallback a")
        schedule.failed("fallback a", at: start, jitter: 1)
        XCTAssertEqual(schedule.next(at: start)?.name, "fallback b")
        XCTAssertEqual(schedule.next(at: start, excluding: ["fallback b"])?.name, "authority c")
        XCTAssertEqual(schedule.next(at: start.addingTimeInterval(1))?.name, "fallback a", "back after its 1 s delay")
        schedule.succeeded("fallback a")
        XCTAssertEqual(schedule.failureCount("fallback a"), 0)
    }

    func testDelaysDoubleUpToTheCapWithJitter() {
        var schedule = DirectorySourceSchedule(sources: [source("a")], initialDelay: 1, maximumDelay: 60)
        let start = Date(timeIntervalSince1970: 0)
        var delays = [TimeInterval]()
        for _ in 0..<9 {
            schedule.failed("a", at: start, jitter: 1)
            delays.append(schedule.earliestRetry!.timeIntervalSince(start))
        }
        XCTAssertEqual(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60])
        schedule.failed("a", at: start, jitter: 0.5)
        XCTAssertEqual(schedule.earliestRetry!.timeIntervalSince(start), 30)
        for _ in 0..<100 { schedule.failed("a", at: start, jitter: 1.5) }
        XCTAssertEqual(schedule.earliestRetry!.timeIntervalSince(start), 90, "no overflow however long it fails")
    }

    func testWhenEverySourceIsWaitingTheEarliestRetryIsKnown() {
        var schedule = DirectorySourceSchedule(sources: [source("a"), source("b")])
        let start = Date(timeIntervalSince1970: 0)
        schedule.failed("a", at: start, jitter: 1)
        schedule.failed("a", at: start, jitter: 1)
        schedule.failed("b", at: start, jitter: 1)
        XCTAssertNil(schedule.next(at: start))
        XCTAssertEqual(schedule.earliestRetry, start.addingTimeInterval(1))
        XCTAssertEqual(schedule.next(at: start.addingTimeInterval(1))?.name, "b")
    }

    func testRepeatedFailuresAreFoldedInTheErrorText() {
        let folded = DirectoryManager.summarized(["a: refused", "b: timed out", "a: refused", "a: refused", "b: HTTP 503"])
        XCTAssertEqual(folded, ["a: refused (3 times)", "b: timed out", "b: HTTP 503"])
    }

    /// C tor's client refresh window: from fresh-until + 3/4 of the interval over 7/8 of what is
    /// left until valid-until (public network: 45 to ~110 minutes past fresh-until).
    func testConsensusRefreshTimeFollowsCTorsClientWindow() {
        let validAfter = Date(timeIntervalSince1970: 1_764_000_000)
        func at(_ fresh: TimeInterval, _ valid: TimeInterval, _ random: Double) -> TimeInterval {
            DirectoryManager.refreshTime(validAfter: validAfter, freshUntil: validAfter.addingTimeInterval(fresh),
                                         validUntil: validAfter.addingTimeInterval(valid), random: random)
                .timeIntervalSince(validAfter)
        }
        // Public network: fresh 1 h, valid 3 h.
        XCTAssertEqual(at(3600, 10_800, 0), 6300, accuracy: 0.001)
        XCTAssertEqual(at(3600, 10_800, 0.999_999), 6300 + 4500 * 7 / 8, accuracy: 0.01)
        // The private network: fresh 10 s, valid 20 s.
        XCTAssertEqual(at(10, 20, 0), 17.5, accuracy: 0.001)
        XCTAssertLessThan(at(10, 20, 0.999_999), 20)
        // Never before fresh-until, never at or past valid-until, even with a window of one second.
        XCTAssertGreaterThanOrEqual(at(10, 11, 0), 10)
        XCTAssertLessThan(at(10, 11, 0.999_999), 11)
    }
}
