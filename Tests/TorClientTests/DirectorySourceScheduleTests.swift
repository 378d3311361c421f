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
}
