import FoundationEssentials
import TorCircuits

/// The circuit build timeout as `onionctl tor bootstrap` shows it: learned from this network's
/// circuits (path-spec §2.4), or still learning.
public struct CircuitTimeoutReport: Sendable, Codable, Equatable {
    /// The timeout in use, in seconds: the learned one, or the initial one while learning.
    public var timeoutSeconds: Double
    public var learned: Bool
    /// Build times recorded, and how many a timeout is learned from (`cbtmincircs`).
    public var recordedBuilds: Int
    public var neededBuilds: Int
    /// The fitted Pareto curve (Xm in milliseconds; alpha when finite) and the quantile the
    /// timeout is set at, once learned.
    public var xmMilliseconds: Int?
    public var alpha: Double?
    public var quantile: Double

    public init(_ status: CircuitBuildTimeouts.Status) {
        timeoutSeconds = status.timeout
        learned = status.isLearned
        recordedBuilds = status.recorded
        neededBuilds = status.needed
        xmMilliseconds = status.isLearned ? status.xmMilliseconds : nil
        alpha = status.isLearned ? status.alpha.flatMap { $0.isFinite ? $0 : nil } : nil
        quantile = status.quantile
    }

    /// One line: "2.31 s learned from 100 builds (80 % quantile, Xm 180 ms, alpha 6.49)" or
    /// "60.00 s initial; learning: 12 of 100 builds".
    public var summary: String {
        func fixed(_ value: Double) -> String {
            let hundredths = Int((value * 100).rounded())
            let fraction = String(hundredths % 100)
            return "\(hundredths / 100).\(fraction.count < 2 ? "0" + fraction : fraction)"
        }
        guard learned else {
            return "\(fixed(timeoutSeconds)) s initial; learning: \(recordedBuilds) of \(neededBuilds) builds"
        }
        var detail = "\(Int((quantile * 100).rounded())) % quantile"
        if let xmMilliseconds { detail += ", Xm \(xmMilliseconds) ms" }
        if let alpha { detail += ", alpha \(fixed(alpha))" }
        return "\(fixed(timeoutSeconds)) s learned from \(recordedBuilds) builds (\(detail))"
    }
}
