import Synchronization

/// A single-consumer queue bridging the channel I/O thread (producer) and async code (consumer).
/// Once finished or failed, buffered values are still delivered, then the end or the error.
/// A queue fed by the network has a `capacity`: a peer that sends what nobody reads cannot
/// make it grow without bound (``push(_:)`` refuses, and the caller closes the circuit).
public final class AsyncQueue<Element: Sendable>: @unchecked Sendable {
    private struct State {
        var buffer: [Element] = []
        var head = 0
        var waiter: CheckedContinuation<Element?, any Error>?
        var failure: (any Error)?
        var finished = false
    }

    private let state = Mutex(State())
    /// The most values buffered at once.
    public let capacity: Int

    /// - Parameter capacity: the most values buffered at once (unbounded only for queues that
    ///   the local program alone feeds).
    public init(capacity: Int = .max) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Adds a value and wakes the consumer if it is waiting. Returns `false`, dropping the value,
    /// when `capacity` values are already buffered (or the queue has finished).
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let (waiter, accepted) = state.withLock { state -> (CheckedContinuation<Element?, any Error>?, Bool) in
            if state.finished { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            guard state.buffer.count - state.head < capacity else { return (nil, false) }
            state.buffer.append(element)
            return (nil, true)
        }
        waiter?.resume(returning: element)
        return accepted
    }

    /// Ends the queue: the consumer gets buffered values, then `nil` (or `error`, if given).
    public func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            if state.finished { return nil }
            state.finished = true
            state.failure = error
            guard state.head >= state.buffer.count else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// Number of values waiting to be taken.
    public var count: Int { state.withLock { $0.buffer.count - $0.head } }

    /// Every value buffered now (waiting for at least one), `nil` once finished, or the failure.
    /// Lets a consumer take a burst of cells with one wake-up instead of one per cell.
    public func nextBatch() async throws -> [Element]? {
        guard let first = try await next() else { return nil }
        return state.withLock { state -> [Element] in
            var batch = [first]
            if state.head < state.buffer.count {
                batch.append(contentsOf: state.buffer[state.head...])
                state.buffer.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return batch
        }
    }

    /// The next value, `nil` once finished, or the failure.
    public func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await waitForNext()
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func waitForNext() async throws -> Element? {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Element?, any Error>? = state.withLock { state in
                if state.head < state.buffer.count {
                    let element = state.buffer[state.head]
                    state.head += 1
                    if state.head > 64 && state.head * 2 > state.buffer.count {
                        state.buffer.removeFirst(state.head)
                        state.head = 0
                    }
                    return .success(element)
                }
                if state.finished {
                    if let failure = state.failure { return .failure(failure) }
                    return .success(nil)
                }
                if Task.isCancelled { return .failure(CancellationError()) }
                precondition(state.waiter == nil, "AsyncQueue has a single consumer")
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }
}
