import TorCircuits

/// When a rendezvous circuit is replaced before its window toward the service runs out.
///
/// A service must send a circuit SENDME for every 100 DATA cells it receives, and C tor does.
/// Minitor as flashed on real devices (`bc8676f`) never does, so after 1,000 DATA cells sent over
/// one rendezvous circuit every further write would wait forever. onionctl keeps one rendezvous
/// circuit per device for all its requests, so it watches the window toward the service: while
/// the service has never acknowledged anything and the window runs low, a new rendezvous circuit
/// is built in the background (make before break) and new streams move to it; only when the
/// window is nearly spent does a request wait for the replacement. A service that sends SENDMEs
/// is never affected: its window refills.
public struct RendezvousRenewal: Sendable, Equatable {
    /// Start building a replacement in the background once fewer DATA cells than this are left.
    public var renewBelow: Int
    /// Below this many cells left, a new stream waits for the replacement instead of using the
    /// old circuit. Must not exceed `renewBelow`.
    public var waitBelow: Int
    /// How long a failed background renewal is not retried (unless the window falls below
    /// `waitBelow`), so a service that limits introductions (Minitor: one per 20 s) is not hammered.
    public var retryAfter: Double

    public init(renewBelow: Int, waitBelow: Int, retryAfter: Double = 30) {
        precondition(waitBelow <= renewBelow, "waitBelow must not exceed renewBelow")
        self.renewBelow = renewBelow
        self.waitBelow = waitBelow
        self.retryAfter = retryAfter
    }

    /// About 200 one-cell requests of notice before the replacement is needed, and 50 cells (25 KB)
    /// kept for requests already on their way.
    public static let `default` = RendezvousRenewal(renewBelow: 250, waitBelow: 50)

    public enum Decision: Sendable, Equatable {
        /// The circuit is fine.
        case keep
        /// Use the circuit, and build its replacement meanwhile.
        case renewInBackground
        /// Do not open new streams on it; wait for its replacement.
        case renewAndWait
    }

    /// The decision for a circuit whose window toward the service is `window`.
    public func decision(for window: PackageWindowStatus?) -> Decision {
        guard let window, window.sendmesReceived == 0 else { return .keep }
        if window.remaining < waitBelow { return .renewAndWait }
        if window.remaining < renewBelow { return .renewInBackground }
        return .keep
    }
}
