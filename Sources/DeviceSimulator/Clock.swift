import Foundation

/// A source of the current time, injectable so the simulation is deterministic in tests.
public protocol DeviceClock: Sendable {
    /// The current (possibly simulated) time.
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: DeviceClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: tests advance simulated time without sleeping.
public final class ManualClock: DeviceClock {
    private let current: Locked<Date>

    /// Starts the clock at `start` (default: 2024-01-01T00:00:00Z).
    public init(start: Date = Date(timeIntervalSince1970: 1_704_067_200)) {
        current = Locked(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
