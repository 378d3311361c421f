import Synchronization
import TorCircuits
import XCTest

/// `withTimeout` bounds the caller's wait even when the operation ignores cancellation.
final class TimeoutTests: XCTestCase {
    /// A wait that nothing but `release()` ends, and that ignores cancellation.
    final class Gate: Sendable {
        private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let opened = Mutex(false)
        func wait() async {
            await withCheckedContinuation { continuation in
                let now = opened.withLock { open -> Bool in
                    if !open { waiters.withLock { $0.append(continuation) } }
                    return open
                }
                if now { continuation.resume() }
            }
        }
        func release() {
            let parked = opened.withLock { open -> [CheckedContinuation<Void, Never>] in
                open = true
                return waiters.withLock { list in defer { list.removeAll() }; return list }
            }
            for waiter in parked { waiter.resume() }
        }
    }

    func testValueBeforeTheDeadlineIsReturned() async throws {
        let value = try await withTimeout(30, error: CircuitError.timedOut("test")) { 42 }
        XCTAssertEqual(value, 42)
    }

    func testOperationErrorIsPassedOn() async throws {
        do {
            _ = try await withTimeout(30, error: CircuitError.timedOut("test")) { () async throws -> Int in throw CircuitError.closed }
            XCTFail("expected the operation's error")
        } catch {
            XCTAssertEqual(error as? CircuitError, .closed)
        }
    }

    func testOperationThatIgnoresCancellationStillTimesOut() async throws {
        let gate = Gate()
        defer { gate.release() }
        do {
            try await withTimeout(0.1, error: CircuitError.timedOut("stuck")) { await gate.wait() }
            XCTFail("the gate never opens: expected a timeout")
        } catch {
            XCTAssertEqual(error as? CircuitError, .timedOut("stuck"))
        }
    }

    func testCancelledCallerGetsCancellationErrorWhileTheOperationIgnoresIt() async throws {
        let gate = Gate()
        defer { gate.release() }
        let caller = Task { try await withTimeout(3600, error: CircuitError.timedOut("never")) { await gate.wait() } }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        do {
            try await caller.value
            XCTFail("expected cancellation")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
    }

    /// A cancellation-aware operation is over before the caller goes on: waiting on the same
    /// single-consumer queue right after a timeout is allowed (it traps if two consumers wait).
    func testTimedOutQueueWaitEndsBeforeTheCallerWaitsAgain() async throws {
        let queue = AsyncQueue<Int>()
        for _ in 0..<20 {
            do {
                _ = try await withTimeout(0.01, error: CircuitError.timedOut("empty")) { try await queue.next() }
                XCTFail("the queue is empty: expected a timeout")
            } catch {
                XCTAssertEqual(error as? CircuitError, .timedOut("empty"))
            }
        }
        queue.push(5)
        let value = try await withTimeout(30, error: CircuitError.timedOut("value")) { try await queue.next() }
        XCTAssertEqual(value, 5)
    }
}
