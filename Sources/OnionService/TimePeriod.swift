import FoundationEssentials

/// An onion-service time period (rend-spec-v3 §2.2.1 [TIME-PERIODS], C `hs_common.c`).
///
/// Periods are numbered from the epoch after subtracting a rotation offset of 12 voting
/// intervals (12 h on the live network), so that a new period starts half-way through a
/// shared-random protocol run:
///
///     number = (seconds/60 − offset/60) / lengthMinutes      (integer division)
///     start  = number × lengthMinutes × 60 + offset
///
/// The clock is the `valid-after` of the live consensus, never the wall clock.
public struct TimePeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The period number `period_num`.
    public let number: UInt64
    /// The period length in minutes (`period_length`; 1440 on the live network).
    public let lengthMinutes: UInt64
    /// The rotation offset in seconds (12 voting intervals).
    public let rotationOffsetSeconds: UInt64

    /// The default period length (consensus parameter `hsdir_interval`), in minutes.
    public static let defaultLengthMinutes: UInt64 = 1440
    /// C tor 0.4.9 clamps `hsdir_interval` to this range.
    public static let allowedLengthMinutes: ClosedRange<UInt64> = 5...14400
    /// Rounds per shared-random phase; the rotation offset is this many voting intervals.
    static let roundsPerPhase: UInt64 = 12
    /// Rounds per shared-random protocol run (two phases).
    static let roundsPerRun: UInt64 = 24

    /// A period given by its parts (for known test vectors or stored state).
    public init(number: UInt64, lengthMinutes: UInt64 = defaultLengthMinutes,
                rotationOffsetSeconds: UInt64 = 12 * 3600) {
        self.number = number
        self.lengthMinutes = lengthMinutes
        self.rotationOffsetSeconds = rotationOffsetSeconds
    }

    /// The period containing `validAfter`, with an explicit length and offset.
    public init(containing time: Date, lengthMinutes: UInt64,
                rotationOffsetSeconds: UInt64) throws(TimePeriodError) {
        guard lengthMinutes > 0 else { throw .invalidLength(lengthMinutes) }
        let seconds = time.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0 else { throw .timeBeforeEpoch }
        let minutes = UInt64(seconds) / 60
        let offsetMinutes = rotationOffsetSeconds / 60
        guard minutes >= offsetMinutes else { throw .timeBeforeEpoch }
        self.init(number: (minutes - offsetMinutes) / lengthMinutes, lengthMinutes: lengthMinutes,
                  rotationOffsetSeconds: rotationOffsetSeconds)
    }

    /// The current period for a consensus.
    ///
    /// - Parameters:
    ///   - validAfter: the consensus `valid-after`.
    ///   - votingInterval: `fresh-until − valid-after` in seconds (3600 on the live network).
    ///   - hsdirIntervalMinutes: the consensus parameter `hsdir_interval`, if present
    ///     (clamped to 5…14400 like C tor). Ignored on a testing network.
    ///   - testingNetwork: mirror of the services' `TestingTorNetwork 1`: the period is then one
    ///     shared-random run long, `24 × votingInterval / 60` minutes (C `get_time_period_length`).
    public init(validAfter: Date, votingInterval: TimeInterval = 3600,
                hsdirIntervalMinutes: Int? = nil, testingNetwork: Bool = false) throws(TimePeriodError) {
        let length = try Self.lengthMinutes(votingInterval: votingInterval,
                                            hsdirIntervalMinutes: hsdirIntervalMinutes,
                                            testingNetwork: testingNetwork)
        try self.init(containing: validAfter, lengthMinutes: length,
                      rotationOffsetSeconds: Self.rotationOffset(votingInterval: votingInterval))
    }

    /// The period length in minutes under the live rule or the TestingTorNetwork rule.
    public static func lengthMinutes(votingInterval: TimeInterval, hsdirIntervalMinutes: Int?,
                                     testingNetwork: Bool) throws(TimePeriodError) -> UInt64 {
        if testingNetwork {
            let interval = try validInterval(votingInterval)
            let minutes = roundsPerRun * interval / 60
            guard minutes > 0 else { throw .invalidVotingInterval(votingInterval) }
            return minutes
        }
        guard let configured = hsdirIntervalMinutes else { return defaultLengthMinutes }
        let clamped = min(max(Int64(configured), Int64(allowedLengthMinutes.lowerBound)),
                          Int64(allowedLengthMinutes.upperBound))
        return UInt64(clamped)
    }

    /// `12 × votingInterval` seconds (C `sr_state_get_phase_duration`).
    public static func rotationOffset(votingInterval: TimeInterval) throws(TimePeriodError) -> UInt64 {
        roundsPerPhase * (try validInterval(votingInterval))
    }

    static func validInterval(_ votingInterval: TimeInterval) throws(TimePeriodError) -> UInt64 {
        guard votingInterval.isFinite, votingInterval >= 1 else { throw .invalidVotingInterval(votingInterval) }
        return UInt64(votingInterval)
    }

    /// When this period starts.
    public var start: Date {
        Date(timeIntervalSince1970: TimeInterval(number * lengthMinutes * 60 + rotationOffsetSeconds))
    }

    /// When this period ends (the start of the next one).
    public var end: Date { next.start }

    /// True when `time` falls in `start ..< end`.
    public func contains(_ time: Date) -> Bool { time >= start && time < end }

    /// The period before this one (period 0 is its own predecessor).
    public var previous: TimePeriod {
        TimePeriod(number: number == 0 ? 0 : number - 1, lengthMinutes: lengthMinutes, rotationOffsetSeconds: rotationOffsetSeconds)
    }

    /// The period after this one.
    public var next: TimePeriod {
        TimePeriod(number: number + 1, lengthMinutes: lengthMinutes, rotationOffsetSeconds: rotationOffsetSeconds)
    }

    public static func < (lhs: TimePeriod, rhs: TimePeriod) -> Bool { lhs.number < rhs.number }

    public var description: String { "time period \(number) (\(lengthMinutes) min)" }
}

/// Why a time period could not be computed.
public enum TimePeriodError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The voting interval is zero, negative or not a number.
    case invalidVotingInterval(TimeInterval)
    /// The period length is zero.
    case invalidLength(UInt64)
    /// The time is before the first period (1970, before the rotation offset).
    case timeBeforeEpoch

    public var description: String {
        switch self {
        case let .invalidVotingInterval(interval):
            return "the consensus voting interval (\(interval) s) cannot be used to compute onion-service time periods"
        case let .invalidLength(length):
            return "an onion-service time period cannot be \(length) minutes long"
        case .timeBeforeEpoch:
            return "the consensus time is before the first onion-service time period"
        }
    }
}
