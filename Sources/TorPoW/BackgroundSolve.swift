import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension OnionServicePoW {
    /// How many threads a solve uses by default: every core, at most 4 (each thread holds its own
    /// ~2.5 MB of solver tables).
    public static var defaultSolverThreads: Int {
        #if canImport(Glibc)
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        let cores = 1
        #endif
        return max(1, min(4, cores))
    }

    /// Solves `inputs` on `threads` threads of its own (the solver is CPU-bound for up to seconds,
    /// which must not block Swift's cooperative pool), for at most `budget`. Each thread searches
    /// from its own random nonce, so they never try the same challenge; the first solution that
    /// meets the effort wins and stops the others (within one Equi-X solve). Returns nil when the
    /// budget ran out first; throws `CancellationError` when the calling task is cancelled (the
    /// threads stop at their next nonce).
    public static func solve(_ inputs: Inputs, budget: Duration, threads: Int = defaultSolverThreads) async throws -> Solution? {
        let search = ParallelSearch()
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let outcome: Solution? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Solution?, Never>) in
                let group = DispatchGroup()
                for index in 0..<max(1, threads) {
                    // A serial queue of its own per thread (libdispatch gives those an overcommit
                    // thread): on Linux the global concurrent queues are the threads Swift
                    // concurrency runs on, limited to one per core, and solvers occupying all of
                    // them would starve every task, including the one that would cancel them.
                    DispatchQueue(label: "onion-service-pow-\(index)", qos: .userInitiated).async(group: group) {
                        if let solution = try? solve(inputs, keepGoing: { _ in !search.isStopped && clock.now < deadline }) {
                            search.found(solution)
                        }
                    }
                }
                group.notify(queue: .global()) { continuation.resume(returning: search.winner) }
            }
        } onCancel: {
            search.stop()
        }
        try Task.checkCancellation()
        return outcome
    }
}

/// The threads' shared state: a stop flag they poll between nonces, and the first solution found.
private final class ParallelSearch: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let first = Mutex<OnionServicePoW.Solution?>(nil)
    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }
    /// Keeps `solution` if it is the first, and stops the other threads.
    func found(_ solution: OnionServicePoW.Solution) {
        first.withLock { if $0 == nil { $0 = solution } }
        stop()
    }
    var winner: OnionServicePoW.Solution? { first.withLock { $0 } }
}
