import Foundation
@testable import OnionService
import Synchronization
import XCTest

/// Parallel HSDir attempts (issue 13): the next HSDir is asked when the first is slow or fails,
/// never more than two at once, and the first good answer cancels the rest.
final class StaggeredAttemptsTests: XCTestCase {
    private final class Log: Sendable {
        let state = Mutex((started: [Int](), cancelled: [Int](), running: 0, maxRunning: 0))
        func start(_ index: Int) {
            state.withLock { $0.started.append(index); $0.running += 1; $0.maxRunning = max($0.maxRunning, $0.running) }
        }
        func end(_ index: Int, cancelled: Bool) {
            state.withLock { $0.running -= 1; if cancelled { $0.cancelled.append(index) } }
        }
    }

    /// The first HSDir never answers (as an unreachable one whose connection hangs): after the
    /// stagger the second is asked, its answer wins, and the first attempt is cancelled.
    func testASilentFirstAttemptIsOvertakenAndCancelled() async {
        let log = Log()
        let answers = await StaggeredAttempts.run([0, 1, 2], stagger: .milliseconds(100), maxInFlight: 2, attempt: { index in
            log.start(index)
            if index == 0 {
                let slept: Void? = try? await Task.sleep(for: .seconds(60))
                log.end(index, cancelled: slept == nil)
                return "silent"
            }
            log.end(index, cancelled: false)
            return "descriptor from \(index)"
        }, isFinal: { $0.hasPrefix("descriptor") })
        XCTAssertEqual(answers, ["descriptor from 1"])
        for _ in 0..<100 where log.state.withLock({ $0.cancelled.isEmpty }) { try? await Task.sleep(for: .milliseconds(20)) }
        let state = log.state.withLock { $0 }
        XCTAssertEqual(state.started, [0, 1], "the third HSDir is not needed")
        XCTAssertEqual(state.cancelled, [0])
    }

    /// A failing HSDir hands over at once (the stagger, an hour here, is not waited for).
    func testAFailureStartsTheNextAttemptAtOnce() async {
        let answers = await StaggeredAttempts.run([0, 1, 2, 3], stagger: .seconds(3600), maxInFlight: 2, attempt: { index in
            index == 2 ? "descriptor" : "failed \(index)"
        }, isFinal: { $0 == "descriptor" })
        XCTAssertEqual(answers, ["failed 0", "failed 1", "descriptor"])
    }

    /// Slow HSDirs that all fail: every one is tried, never more than two at once.
    func testAttemptsAreBoundedAndAllAnswersReturned() async {
        let log = Log()
        let answers = await StaggeredAttempts.run(Array(0..<5), stagger: .milliseconds(10), maxInFlight: 2, attempt: { index in
            log.start(index)
            try? await Task.sleep(for: .milliseconds(100))
            log.end(index, cancelled: false)
            return index
        }, isFinal: { _ in false })
        XCTAssertEqual(answers.sorted(), [0, 1, 2, 3, 4])
        let state = log.state.withLock { $0 }
        XCTAssertEqual(state.started.sorted(), [0, 1, 2, 3, 4])
        XCTAssertEqual(state.maxRunning, 2)
        let none = await StaggeredAttempts.run([Int](), stagger: .seconds(1), maxInFlight: 2, attempt: { $0 }, isFinal: { _ in true })
        XCTAssertEqual(none, [])
    }

    func testStaggerFollowsTheLearnedTimeout() {
        XCTAssertEqual(OnionServiceConnector.hsdirStagger(learnedCircuitBuildTimeout: nil), 10)
        XCTAssertEqual(OnionServiceConnector.hsdirStagger(learnedCircuitBuildTimeout: 2.5), 5)
        XCTAssertEqual(OnionServiceConnector.hsdirStagger(learnedCircuitBuildTimeout: 0.1), 1)
        XCTAssertEqual(OnionServiceConnector.hsdirStagger(learnedCircuitBuildTimeout: 30), 10)
    }
}
