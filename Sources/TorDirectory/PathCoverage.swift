/// How much of the network a client can build paths through, as C tor decides whether it has
/// "enough directory info" (`nodelist.c:compute_frac_paths_available`, simplified): the share
/// of guard, middle and exit bandwidth whose relays have their microdescriptors, multiplied.
/// C tor builds circuits only when that product reaches `min_paths_for_circs_pct` (60 % by
/// default): with less, a hostile directory source that withholds descriptors could steer the
/// client onto the few relays it did send.
public struct PathCoverage: Sendable, Equatable {
    public var guardFraction: Double
    public var middleFraction: Double
    public var exitFraction: Double

    /// The coverage of `consensus` given which microdescriptor digests the client holds. Running
    /// and Valid relays only; bandwidth as the consensus weights it (relays of weight 0 count as 1).
    /// A network without exits (an onion-service-only private network) counts its exits as covered.
    public init(consensus: Consensus, has: (_ microdescriptorDigest: [UInt8]) -> Bool) {
        var total = (guard: 0.0, middle: 0.0, exit: 0.0), covered = (guard: 0.0, middle: 0.0, exit: 0.0)
        for router in consensus.routers where router.flags.contains(.running) && router.flags.contains(.valid) {
            let weight = Double(max(router.bandwidth, 1))
            let present = has(router.microdescriptorDigest)
            total.middle += weight
            if present { covered.middle += weight }
            if router.flags.contains(.guard) {
                total.guard += weight
                if present { covered.guard += weight }
            }
            if router.flags.contains(.exit) && !router.flags.contains(.badExit) {
                total.exit += weight
                if present { covered.exit += weight }
            }
        }
        func share(_ part: Double, _ whole: Double) -> Double { whole > 0 ? part / whole : 1 }
        guardFraction = share(covered.guard, total.guard)
        middleFraction = share(covered.middle, total.middle)
        exitFraction = share(covered.exit, total.exit)
    }

    /// The share of likely paths the client can build.
    public var pathFraction: Double { guardFraction * middleFraction * exitFraction }

    /// The consensus's `min_paths_for_circs_pct` (C tor: default 60, 25…95) as a fraction.
    public static func threshold(_ consensus: Consensus) -> Double {
        Double(consensus.params.value("min_paths_for_circs_pct", default: 60, range: 25...95)) / 100
    }

    /// C tor's wording: "we have 60% of guards bw, 70% of midpoint bw, and 80% of exit bw = 34% of path bw".
    public var summary: String {
        func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
        return "\(percent(guardFraction)) of guard bandwidth, \(percent(middleFraction)) of middle bandwidth and "
            + "\(percent(exitFraction)) of exit bandwidth = \(percent(pathFraction)) of path bandwidth"
    }
}
