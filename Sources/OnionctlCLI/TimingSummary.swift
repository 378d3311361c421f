import Foundation

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
        var line = String(format: "requests: %d  first: %.1f ms", timings.count, (timings.first ?? 0) * 1000)
        if !rest.isEmpty {
            line += String(format: "  repeat median: %.1f ms  p99: %.1f ms  max: %.1f ms",
                           percentile(50, of: rest) * 1000, percentile(99, of: rest) * 1000, (rest.max() ?? 0) * 1000)
        }
        return line + "\n"
    }
}
