import FoundationEssentials
import TorCircuits
import Synchronization

/// The build of a service's next rendezvous circuit, shared by every request for that service
/// made while it is under way (and by background renewals, which wait for nothing). When every
/// request waiting on it has been cancelled (the user gave up, a timeout), the build is cancelled
/// too, so that a proof of work being solved or a rendezvous being waited for stops at once
/// instead of running on for nobody; a build nobody waits on (a renewal) runs to its end.
final class SharedBuild: Sendable {
    let id: UUID
    private let task: Task<Circuit, any Error>
    private let waiting = Mutex<(waiters: Int, cancelled: Int)>((0, 0))

    init(id: UUID, task: Task<Circuit, any Error>) {
        self.id = id
        self.task = task
    }

    /// True once every requester gave up on it.
    var isCancelled: Bool { task.isCancelled }

    /// The circuit, once built. A cancelled caller stops waiting for it only when the build ends,
    /// which is at once if it was the last one waiting (the build is cancelled then).
    func value() async throws -> Circuit {
        waiting.withLock { $0.waiters += 1 }
        let task = self.task
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            let nobodyLeft = self.waiting.withLock { state -> Bool in
                state.cancelled += 1
                return state.cancelled >= state.waiters
            }
            if nobodyLeft { task.cancel() }
        }
    }
}
