import FoundationEssentials
import Synchronization

/// One circuit build bounded by the learned circuit build timeout, as C tor bounds and measures
/// its circuits (`circuit_expire_building`, `circuit_build_times_handle_completed_hop`): the
/// caller gets the circuit, or ``TimedOut`` once the timeout passes; a build past the timeout
/// goes on, for measurement only, until the close time, and is then handed to `destroy`.
/// The time to the third hop is recorded (a success for the recent-circuit window if it came
/// within the timeout); a build still short of it at the close time is recorded as abandoned.
enum TimedBuild {
    /// The hop whose completion is timed (C tor's `DEFAULT_ROUTE_LEN`: longer circuits are
    /// measured at their third hop).
    static let measuredHops = 3

    /// The timeout passed before the build finished.
    struct TimedOut: Error, Sendable {
        /// Hops built when it passed (0: still at the first hop).
        var hopsBuilt: Int
        /// The timeout, in seconds.
        var limit: TimeInterval
    }

    /// Runs `build`, which receives how long its next hop may take (the time left until the
    /// close time) and reports each hop built (1, 2, …).
    static func run<Built: Sendable>(
        timeouts: CircuitBuildTimeouts, destroy: @escaping @Sendable (Built) -> Void,
        _ build: @escaping @Sendable (_ hopTimeout: @escaping @Sendable () -> TimeInterval,
                                      _ onHop: @escaping @Sendable (Int) -> Void) async throws -> Built
    ) async throws -> Built {
        let (limit, close) = timeouts.current
        let clock = ContinuousClock()
        let started = clock.now
        let elapsed: @Sendable () -> TimeInterval = {
            let duration = clock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        let progress = Progress()
        let work = Task {
            try await build({ max(0.001, close - elapsed()) }, { hops in
                let seconds = elapsed()
                let record = progress.state.withLock { state -> Bool in
                    state.hops = hops
                    guard hops == measuredHops, !state.recorded else { return false }
                    state.recorded = true
                    return true
                }
                // As C tor, a time far beyond the close time means the machine slept: not recorded.
                if record && seconds <= 2 * close + 1 { timeouts.recordBuildTime(seconds, withinTimeout: seconds <= limit) }
            })
        }
        if let result = await result(of: work, within: limit) { return try result.get() }
        if Task.isCancelled {
            work.cancel()
            Task { if case let .success(built) = await work.result { destroy(built) } }
            throw CancellationError()
        }
        let hops = progress.state.withLock { $0.hops }
        timeouts.recordTimeout(afterFirstHop: hops >= 1)
        Task {
            switch await work.result {
            case let .success(built): destroy(built)
            case .failure:
                if !progress.state.withLock({ $0.recorded }) && elapsed() >= close - 0.5 { timeouts.recordAbandoned() }
            }
        }
        throw TimedOut(hopsBuilt: hops, limit: limit)
    }

    /// How far a timed build got: hops built, and whether its time was recorded.
    private final class Progress: Sendable {
        let state = Mutex((hops: 0, recorded: false))
    }
}
