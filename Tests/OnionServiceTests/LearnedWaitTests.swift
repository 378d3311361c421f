@testable import OnionService
import XCTest

/// The waits the connector learns (RENDEZVOUS2 after an ACK; CONNECTED on a reused circuit).
final class LearnedWaitTests: XCTestCase {
    func testBeforeAnySuccessTheInitialWaitHoldsUnderTheCeiling() {
        let wait = LearnedWait(floor: 6, initial: 10)
        XCTAssertEqual(wait.bound(ceiling: 30), 10)
        XCTAssertEqual(wait.bound(ceiling: 4), 4)
    }

    func testThreeTimesTheSlowestRecentSuccessBetweenFloorAndCeiling() {
        var wait = LearnedWait(floor: 6, initial: 10)
        wait.record(0.2)
        XCTAssertEqual(wait.bound(ceiling: 30), 6, "fast successes still get the floor")
        wait.record(2.5)
        wait.record(0.4)
        XCTAssertEqual(wait.bound(ceiling: 30), 7.5, accuracy: 1e-9)
        wait.record(20)
        XCTAssertEqual(wait.bound(ceiling: 30), 30, "never past the ceiling")
    }

    func testOnlyTheRecentSuccessesCount() {
        var wait = LearnedWait(floor: 1, initial: 10, multiplier: 2, memory: 3)
        wait.record(9)
        for _ in 0..<3 { wait.record(1) }
        XCTAssertEqual(wait.recent, [1, 1, 1])
        XCTAssertEqual(wait.bound(ceiling: 30), 2, "the slow one was forgotten")
        wait.record(.nan)
        wait.record(-1)
        XCTAssertEqual(wait.recent.count, 3, "nonsense durations are not recorded")
    }
}
