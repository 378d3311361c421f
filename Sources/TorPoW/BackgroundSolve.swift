import Dispatch
import Synchronization

extension OnionServicePoW {
    /// Solves `inputs` on a dispatch thread (the solver is CPU-bound for up to seconds, which must
    /// not block Swift's cooperative pool), for at most `budget`. Returns nil when the budget ran
    /// out first; throws `CancellationError` when the calling task is cancelled (the solver stops
    /// at its next nonce, within one Equi-X solve).
    public static func solve(_ inputs: Inputs, budget: Duration) async throws -> Solution? {
        let stop = StopFlag()
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let outcome: Solution? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Solution?, Never>) in
                DispatchQueue.global(qos: .userInitiated).async {
                    let solution = try? solve(inputs, keepGoing: { _ in !stop.isSet && clock.now < deadline })
                    continuation.resume(returning: solution)
                }
            }
        } onCancel: {
            stop.set()
        }
        try Task.checkCancellation()
        return outcome
    }
}

/// A flag the solver thread polls between nonces.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
