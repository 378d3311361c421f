import FoundationEssentials

/// A wait bounded by what this network has shown: `multiplier` times the slowest of the recent
/// successful waits, at least `floor`, at most the caller's ceiling; `initial` before any success.
/// The connector keeps one for RENDEZVOUS2 after a successful INTRODUCE_ACK and one for CONNECTED
/// on a rendezvous circuit it reuses, so that a service that will never answer (it dropped the
/// introduction, or its end of the circuit is gone) costs seconds, not the full step timeout.
struct LearnedWait: Sendable {
    let floor: TimeInterval
    let initial: TimeInterval
    let multiplier: Double
    /// How many recent successes are remembered (oldest dropped first).
    let memory: Int
    private(set) var recent: [TimeInterval] = []

    init(floor: TimeInterval, initial: TimeInterval, multiplier: Double = 3, memory: Int = 16) {
        self.floor = floor
        self.initial = initial
        self.multiplier = multiplier
        self.memory = memory
    }

    /// How long to wait now, never more than `ceiling`.
    func bound(ceiling: TimeInterval) -> TimeInterval {
        guard let slowest = recent.max() else { return min(initial, ceiling) }
        return min(max(slowest * multiplier, floor), ceiling)
    }

    /// Remembers a wait that ended in success after `seconds`.
    mutating func record(_ seconds: TimeInterval) {
        guard seconds.isFinite, seconds >= 0 else { return }
        recent.append(seconds)
        if recent.count > memory { recent.removeFirst(recent.count - memory) }
    }
}
