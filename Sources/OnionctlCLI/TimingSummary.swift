import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionctlUI

/// First, median and 99th-percentile request times, as `fetch --repeat` reports them.
struct TimingSummary {
    var timings: [Double]

    init(_ timings: [Double]) { self.timings = timings }

    func percentile(_ p: Double, of values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var text: String {
        let rest = Array(timings.dropFirst())
        var line = "requests: \(timings.count)  first: \(((timings.first ?? 0) * 1000).fixed(1)) ms"
        if !rest.isEmpty {
            line += "  repeat median: \((percentile(50, of: rest) * 1000).fixed(1)) ms  p99: \((percentile(99, of: rest) * 1000).fixed(1)) ms"
                + "  max: \(((rest.max() ?? 0) * 1000).fixed(1)) ms"
        }
        return line + "\n"
    }
}
