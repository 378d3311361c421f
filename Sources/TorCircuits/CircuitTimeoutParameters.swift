import TorDirectory

/// The circuit-build-timeout parameters of path-spec §2.4 ("Learning when to give up on circuit
/// construction") as C tor 0.4.9 reads them from the consensus (`circuitstats.c`), with its
/// defaults and bounds. Times are in milliseconds, as in the consensus.
public struct CircuitTimeoutParameters: Sendable, Equatable {
    /// `cbtdisabled` (0): 1 turns learning off; the initial timeout is then always used.
    public var disabled: Bool
    /// `cbtnummodes` (10, 1…20): how many of the most frequent histogram bins give Xm.
    public var numModes: Int
    /// `cbtquantile` (80 %, 10…99): the timeout is this quantile of the fitted Pareto curve.
    public var quantile: Double
    /// `cbtclosequantile` (99 %, at least `cbtquantile`): how long a slow circuit keeps
    /// building, for measurement only, before it is abandoned.
    public var closeQuantile: Double
    /// `cbtmincircs` (100, 1…10000): build times needed before a timeout is computed.
    public var minCircuits: Int
    /// `cbtmintimeout` (10 ms): the lowest timeout.
    public var minTimeoutMs: Double
    /// `cbtinitialtimeout` (60 000 ms, at least `cbtmintimeout`): the timeout until one is learned.
    public var initialTimeoutMs: Double
    /// `cbtrecentcount` (20, 3…1000): how many recent circuits are watched for timeouts.
    public var recentCount: Int
    /// `cbtmaxtimeouts` (18, 3…10000): this many timeouts after the first hop among the recent
    /// circuits discard the history (the network changed) and learning starts again.
    public var maxTimeouts: Int

    public init(_ params: ConsensusParams = ConsensusParams()) {
        func value(_ name: String, _ defaultValue: Int32, _ range: ClosedRange<Int32>) -> Int32 {
            params.value(name, default: defaultValue, range: range)
        }
        disabled = value("cbtdisabled", 0, 0...1) == 1
        numModes = Int(value("cbtnummodes", 10, 1...20))
        let quantilePercent = value("cbtquantile", 80, 10...99)
        quantile = Double(quantilePercent) / 100
        closeQuantile = Double(max(value("cbtclosequantile", 99, 10...99), quantilePercent)) / 100
        minCircuits = Int(value("cbtmincircs", 100, 1...10_000))
        let minTimeout = value("cbtmintimeout", 10, 10...Int32.max)
        minTimeoutMs = Double(minTimeout)
        initialTimeoutMs = Double(max(value("cbtinitialtimeout", 60_000, 10...Int32.max), minTimeout))
        recentCount = Int(value("cbtrecentcount", 20, 3...1000))
        maxTimeouts = Int(value("cbtmaxtimeouts", 18, 3...10_000))
    }
}
