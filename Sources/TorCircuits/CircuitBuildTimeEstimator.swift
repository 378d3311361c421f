import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Learns how long to wait for a circuit, as path-spec §2.4 and C tor's `circuitstats.c` do: the
/// build times of the last 1000 circuits (to their third hop) in a histogram of 10 ms bins, a
/// Pareto curve fitted to them (Xm the weighted average of the `cbtnummodes` most frequent bins,
/// alpha by maximum likelihood), and the timeout at the `cbtquantile` point of that curve once
/// `cbtmincircs` times are known. Until then, and after too many recent timeouts (the network
/// changed), the initial timeout holds. Pure: the caller measures and persists.
public struct CircuitBuildTimeEstimator: Sendable, Equatable {
    /// C tor's `CBT_NCIRCUITS_TO_OBSERVE`: how many build times are kept.
    public static let maxSamples = 1000
    /// C tor's `CBT_BIN_WIDTH`: the histogram's bin width in milliseconds.
    public static let binWidthMs = 10
    /// The sample value of a circuit abandoned at the close timeout (a right-censored time).
    public static let abandoned = 0

    /// Build times in milliseconds, oldest first (``abandoned`` for an abandoned circuit).
    public private(set) var samples: [Int]
    public private(set) var parameters: CircuitTimeoutParameters
    /// The timeout in milliseconds: learned, or the initial one.
    public private(set) var timeoutMs: Double
    /// How long a circuit past the timeout keeps building, for measurement, before it is abandoned.
    public private(set) var closeMs: Double
    /// The fitted curve, once a timeout was computed.
    public private(set) var xm: Int?
    public private(set) var alpha: Double?
    /// Of the recent circuits (`cbtrecentcount`) that passed their first hop, which timed out.
    private var recentTimeouts: [Bool]
    private var recentIndex = 0

    public init(samples: [Int] = [], parameters: CircuitTimeoutParameters = CircuitTimeoutParameters()) {
        self.samples = Array(samples.filter { $0 >= 0 }.suffix(Self.maxSamples))
        self.parameters = parameters
        timeoutMs = parameters.initialTimeoutMs
        closeMs = parameters.initialTimeoutMs
        recentTimeouts = Array(repeating: false, count: parameters.recentCount)
        computeTimeout()
    }

    /// Whether the timeout is learned (rather than the initial one).
    public var isLearned: Bool { xm != nil }

    /// Build times (abandoned circuits included, as C tor counts them) toward `cbtmincircs`.
    public var recordedCount: Int { samples.count }

    /// Takes new consensus parameters; the timeout is recomputed with them.
    public mutating func update(_ parameters: CircuitTimeoutParameters) {
        guard parameters != self.parameters else { return }
        self.parameters = parameters
        if recentTimeouts.count != parameters.recentCount {
            recentTimeouts = Array(repeating: false, count: parameters.recentCount)
            recentIndex = 0
        }
        if !isLearned { timeoutMs = parameters.initialTimeoutMs; closeMs = parameters.initialTimeoutMs }
        computeTimeout()
    }

    /// A circuit reached its third hop after `milliseconds`. `withinTimeout`: it did so before
    /// the timeout (a success for the recent-circuit window); a circuit that kept building
    /// past the timeout for measurement adds its time only.
    public mutating func recordBuildTime(_ milliseconds: Int, withinTimeout: Bool = true) {
        guard !parameters.disabled else { return }
        append(max(1, milliseconds))
        if withinTimeout { noteRecent(timedOut: false) }
        computeTimeout()
    }

    /// A circuit was abandoned at the close timeout without reaching its third hop.
    public mutating func recordAbandoned() {
        guard !parameters.disabled else { return }
        append(Self.abandoned)
        computeTimeout()
    }

    /// A circuit passed the timeout. One that had passed its first hop counts toward
    /// `cbtmaxtimeouts`; when that many of the recent circuits timed out, the history is
    /// discarded and learning starts again from the initial timeout (doubled if the timeout was
    /// already the initial one or more, as C tor does for very slow networks). Returns whether
    /// the history was reset.
    @discardableResult
    public mutating func recordTimeout(afterFirstHop: Bool) -> Bool {
        guard !parameters.disabled, afterFirstHop else { return false }
        noteRecent(timedOut: true)
        guard recentTimeouts.filter({ $0 }).count >= parameters.maxTimeouts else { return false }
        samples = []
        xm = nil
        alpha = nil
        recentTimeouts = Array(repeating: false, count: parameters.recentCount)
        recentIndex = 0
        if timeoutMs >= parameters.initialTimeoutMs {
            if timeoutMs <= Double(Int32.max / 2) && closeMs <= Double(Int32.max / 2) {
                timeoutMs *= 2
                closeMs *= 2
            }
        } else {
            timeoutMs = parameters.initialTimeoutMs
            closeMs = parameters.initialTimeoutMs
        }
        return true
    }

    private mutating func append(_ sample: Int) {
        samples.append(sample)
        if samples.count > Self.maxSamples { samples.removeFirst(samples.count - Self.maxSamples) }
    }

    private mutating func noteRecent(timedOut: Bool) {
        guard !recentTimeouts.isEmpty else { return }
        recentTimeouts[recentIndex] = timedOut
        recentIndex = (recentIndex + 1) % recentTimeouts.count
    }

    /// C tor `circuit_build_times_set_timeout`: with enough times, the quantile of the fitted
    /// curve, capped at the longest time seen and at least `cbtmintimeout`; the close time at
    /// `cbtclosequantile`, at most twice the longest time and at least the initial timeout.
    private mutating func computeTimeout() {
        guard !parameters.disabled else {
            xm = nil
            alpha = nil
            timeoutMs = parameters.initialTimeoutMs
            closeMs = parameters.initialTimeoutMs
            return
        }
        guard samples.count >= parameters.minCircuits,
              let fittedXm = Self.xm(samples, modes: parameters.numModes), let fittedAlpha = Self.alpha(samples, xm: fittedXm)
        else { return }
        xm = fittedXm
        alpha = fittedAlpha
        let longest = Double(samples.max() ?? 0)
        var timeout = Self.paretoQuantile(xm: fittedXm, alpha: fittedAlpha, quantile: parameters.quantile)
        var close = Self.paretoQuantile(xm: fittedXm, alpha: fittedAlpha, quantile: parameters.closeQuantile)
        timeout = min(timeout, longest)
        if longest < Double(Int32.max / 2) { close = min(close, 2 * longest) }
        close = max(close, parameters.initialTimeoutMs)
        if timeout < parameters.minTimeoutMs {
            timeout = parameters.minTimeoutMs
        }
        timeoutMs = timeout
        closeMs = max(close, timeout)
    }

    // MARK: The fit (pure functions)

    /// The histogram of `samples` (abandoned circuits left out): counts per 10 ms bin.
    public static func histogram(_ samples: [Int]) -> [Int] {
        let times = samples.filter { $0 != abandoned }
        guard let longest = times.max() else { return [0] }
        var bins = Array(repeating: 0, count: longest / binWidthMs + 1)
        for time in times { bins[time / binWidthMs] += 1 }
        return bins
    }

    /// The midpoint of histogram bin `bin` in milliseconds (C tor `CBT_BIN_TO_MS`).
    public static func binMidpoint(_ bin: Int) -> Int { bin * binWidthMs + binWidthMs / 2 }

    /// Xm: the average of the midpoints of the `modes` most frequent bins, weighted by their
    /// counts, in whole milliseconds (C tor `circuit_build_times_get_xm`; of equally frequent
    /// bins the shortest is taken first). Nil when every circuit was abandoned.
    public static func xm(_ samples: [Int], modes: Int) -> Int? {
        var bins = histogram(samples)
        var total = 0
        var count = 0
        for _ in 0..<max(1, modes) {
            var best = 0
            for index in bins.indices where bins[index] > bins[best] { best = index }
            total += binMidpoint(best) * bins[best]
            count += bins[best]
            bins[best] = 0
        }
        return count == 0 ? nil : total / count
    }

    /// The maximum-likelihood alpha of a Pareto curve starting at `xm` (C tor
    /// `circuit_build_times_update_alpha`): n / Σ ln(max(xᵢ, Xm) / Xm) over the completed
    /// circuits. Nil without completed circuits; infinite when none took longer than Xm (the
    /// timeout is then Xm, as in C tor).
    public static func alpha(_ samples: [Int], xm: Int) -> Double? {
        guard xm > 0 else { return nil }
        let logXm = log(Double(xm))
        var sum = 0.0
        var n = 0
        for sample in samples where sample != abandoned {
            sum += log(Double(max(sample, xm)))
            n += 1
        }
        sum -= Double(n) * logXm
        guard n > 0 else { return nil }
        return sum > 0 ? Double(n) / sum : .infinity
    }

    /// The Pareto quantile function: the time below which `quantile` of circuits complete,
    /// Xm / (1 − q)^(1/alpha), in milliseconds (at most `Int32.max`).
    public static func paretoQuantile(xm: Int, alpha: Double, quantile: Double) -> Double {
        guard alpha > 0, quantile < 1 else { return Double(Int32.max) }
        let p = pow(1 - quantile, 1 / alpha)
        guard p > 0 else { return Double(Int32.max) }
        return min(Double(xm) / p, Double(Int32.max))
    }
}
