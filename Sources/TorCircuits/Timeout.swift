import Synchronization

/// Runs `operation`, failing with `error` if it does not finish within `seconds`.
///
/// The deadline holds even for an operation that ignores cancellation (a wait on a shared task, a
/// blocking call): when it passes, the operation is cancelled and given a short grace period to
/// finish (so a cancellation-aware operation, such as a wait on an ``AsyncQueue``, is over before
/// the caller goes on); after that the caller gets `error` and the operation is abandoned. A
/// cancelled caller gets `CancellationError` on the same terms.
public func withTimeout<T: Sendable>(
    _ seconds: Double, error: @autoclosure @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task { try await operation() }
    if let result = await result(of: work, within: seconds) {
        return try result.get()
    }
    work.cancel()
    _ = await result(of: work, within: timeoutGracePeriod)
    try Task.checkCancellation()
    throw error()
}

/// How long a timed-out operation has, once cancelled, to finish before it is abandoned.
let timeoutGracePeriod = 2.0

/// The task's result, or `nil` if `seconds` pass (or the caller is cancelled) first. The task
/// itself is left alone.
func result<T: Sendable>(of task: Task<T, any Error>, within seconds: Double) async -> Result<T, any Error>? {
    let first = FirstOutcome<Result<T, any Error>?>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            first.wait(with: continuation)
            let timer = Task {
                try? await Task.sleep(for: .seconds(max(0, seconds)))
                first.resolve(nil)
            }
            Task {
                let result = await task.result
                first.resolve(result)
                timer.cancel()
            }
        }
    } onCancel: {
        first.resolve(nil)
    }
}

/// The first of several racing outcomes, delivered to one waiter.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, Never>?
        var outcome: Value?
        var resolved = false
    }

    private let state = Mutex(State())

    /// Parks `continuation` until an outcome arrives (or resumes it now if one already has).
    func wait(with continuation: CheckedContinuation<Value, Never>) {
        let ready = state.withLock { state -> Value? in
            guard state.resolved else {
                state.continuation = continuation
                return nil
            }
            return state.outcome
        }
        if let ready { continuation.resume(returning: ready) }
    }

    /// Records `outcome` if it is the first; later ones are ignored.
    func resolve(_ outcome: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.resolved else { return nil }
            state.resolved = true
            defer { state.continuation = nil }
            if state.continuation == nil { state.outcome = outcome }
            return state.continuation
        }
        waiter?.resume(returning: outcome)
    }
}
