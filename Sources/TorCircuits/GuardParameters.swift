import FoundationEssentials
import TorDirectory

/// The guard-selection parameters of guard-spec (prop 271) as C tor 0.4.9 reads them from the
/// consensus (`entrynodes.c`), with its defaults and bounds.
public struct GuardParameters: Sendable, Equatable {
    /// `guard-min-filtered-sample-size` (20): keep at least this many usable guards sampled.
    public var minFilteredSample: Int
    /// `guard-max-sample-size` (60) and `guard-max-sample-threshold-percent` (20 %) of the guards.
    public var maxSampleSize: Int
    public var maxSampleThresholdPercent: Int
    /// `guard-n-primary-guards` (3).
    public var primaryCount: Int
    /// `guard-n-primary-guards-to-use` (1; the public consensus says 2): a circuit uses one of
    /// the first this many reachable primary guards, chosen at random.
    public var primaryToUse: Int
    /// `guard-lifetime-days` (120) and `guard-confirmed-min-lifetime-days` (60).
    public var guardLifetime: TimeInterval
    public var confirmedMinLifetime: TimeInterval
    /// `guard-remove-unlisted-guards-after-days` (20).
    public var removeUnlistedAfter: TimeInterval
    /// `guard-internet-likely-down-interval` (600 s).
    public var internetLikelyDownInterval: TimeInterval

    public init(_ params: ConsensusParams = ConsensusParams()) {
        func value(_ name: String, _ defaultValue: Int32, _ range: ClosedRange<Int32>) -> Int {
            Int(params.value(name, default: defaultValue, range: range))
        }
        let day: TimeInterval = 86_400
        minFilteredSample = value("guard-min-filtered-sample-size", 20, 1...Int32.max)
        maxSampleSize = value("guard-max-sample-size", 60, 1...Int32.max)
        maxSampleThresholdPercent = value("guard-max-sample-threshold-percent", 20, 1...100)
        primaryCount = value("guard-n-primary-guards", 3, 1...Int32.max)
        primaryToUse = value("guard-n-primary-guards-to-use", 1, 1...Int32.max)
        guardLifetime = TimeInterval(value("guard-lifetime-days", 120, 1...3650)) * day
        confirmedMinLifetime = TimeInterval(value("guard-confirmed-min-lifetime-days", 60, 1...3650)) * day
        removeUnlistedAfter = TimeInterval(value("guard-remove-unlisted-guards-after-days", 20, 1...365)) * day
        internetLikelyDownInterval = TimeInterval(value("guard-internet-likely-down-interval", 600, 1...Int32.max))
    }

    /// The largest sample for a consensus listing `guardCount` guards (guard-spec §4.1): at most
    /// the threshold share of them and at most the maximum size, but never below the minimum.
    public func maxSample(guardCount: Int) -> Int {
        max(min(maxSampleSize, guardCount * maxSampleThresholdPercent / 100), minFilteredSample)
    }

    /// How long after its last attempt an unreachable guard is tried again (guard-spec A.1;
    /// C tor `get_retry_schedule`): primary guards every 10 minutes for the first 6 hours of
    /// failure, then 90 minutes up to 4 days, 4 hours up to 7 days, then 9 hours; other guards
    /// every 1, 4, 18 and 36 hours on the same steps.
    public static func retryDelay(failingFor elapsed: TimeInterval, primary: Bool) -> TimeInterval {
        let hour: TimeInterval = 3600
        let steps: [(upTo: TimeInterval, primary: TimeInterval, other: TimeInterval)] = [
            (6 * hour, 10 * 60, 1 * hour),
            (4 * 24 * hour, 90 * 60, 4 * hour),
            (7 * 24 * hour, 4 * hour, 18 * hour),
        ]
        for step in steps where max(elapsed, 0) <= step.upTo { return primary ? step.primary : step.other }
        return primary ? 9 * hour : 36 * hour
    }
}
