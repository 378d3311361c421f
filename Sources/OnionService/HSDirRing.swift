import FoundationEssentials
import TorCrypto
import TorProto

/// A relay that may store onion-service descriptors: it has the `HSDir` flag, advertises
/// `HSDir=2` and has an Ed25519 identity.
public struct HSDirCandidate: Sendable, Hashable {
    /// The relay's 32-byte Ed25519 identity key.
    public var ed25519Identity: [UInt8]
    /// Position of the relay in the caller's own relay list.
    public var index: Int

    public init(ed25519Identity: [UInt8], index: Int) {
        self.ed25519Identity = ed25519Identity
        self.index = index
    }
}

/// The hash ring of HSDirs for one shared random value and time period (rend-spec-v3 §2.2.3
/// [WHERE-HSDESC], §2.2.4.1; C `hs_get_responsible_hsdirs`).
///
///     hsdir_index(node) = SHA3-256("node-idx" | ed25519_id | SRV | INT_8(period_num) | INT_8(period_length))
///     hs_index(r)       = SHA3-256("store-at-idx" | A' | INT_8(r) | INT_8(period_length) | INT_8(period_num))
///
/// (Note the two formulas put `period_num` and `period_length` in opposite orders.)
public struct HSDirRing: Sendable {
    /// Candidates with their ring position, sorted by `hsdir_index`.
    public let sorted: [(candidate: HSDirCandidate, hsdirIndex: [UInt8])]
    public let period: TimePeriod

    /// Places `candidates` on the ring for `sharedRandomValue` (pick it with
    /// ``sharedRandomValueForFetching(validAfter:votingInterval:current:previous:period:)``).
    public init(candidates: [HSDirCandidate], sharedRandomValue: [UInt8], period: TimePeriod) {
        self.period = period
        sorted = candidates
            .map { ($0, Self.hsdirIndex(identity: $0.ed25519Identity, sharedRandomValue: sharedRandomValue, period: period)) }
            .sorted { $0.1.lexicographicallyPrecedes($1.1) }
    }

    /// The HSDirs to ask for the descriptor named by `blindedPublicKey`: for each replica
    /// `r = 1…replicas`, the first `spread` relays at or after `hs_index(r)` (wrapping around),
    /// skipping relays already chosen. Consensus defaults: `hsdir_n_replicas` 2,
    /// `hsdir_spread_fetch` 3.
    public func responsibleHSDirs(blindedPublicKey: [UInt8], replicas: Int = 2, spread: Int = 3) -> [HSDirCandidate] {
        guard !sorted.isEmpty, replicas > 0, spread > 0 else { return [] }
        var chosen: [HSDirCandidate] = []
        var chosenIdentities = Set<[UInt8]>()
        for replica in 1...replicas {
            let target = Self.hsIndex(blindedPublicKey: blindedPublicKey, replica: UInt64(replica), period: period)
            var position = firstPosition(atOrAfter: target)
            if position == sorted.count { position = 0 }
            let start = position
            var added = 0
            while added < spread {
                let candidate = sorted[position].candidate
                if chosenIdentities.insert(candidate.ed25519Identity).inserted {
                    chosen.append(candidate)
                    added += 1
                }
                position += 1
                if position == sorted.count { position = 0 }
                if position == start { break }
            }
        }
        return chosen
    }

    /// Binary search: the first ring position whose index is `>= target`.
    private func firstPosition(atOrAfter target: [UInt8]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].hsdirIndex.lexicographicallyPrecedes(target) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `hsdir_index` of a relay.
    public static func hsdirIndex(identity: [UInt8], sharedRandomValue: [UInt8], period: TimePeriod) -> [UInt8] {
        Hash.sha3_256(HSPrimitives.ascii("node-idx") + identity + sharedRandomValue
                      + period.number.bigEndianBytes + period.lengthMinutes.bigEndianBytes)
    }

    /// `hs_index` of replica `replica` (1-based) of a descriptor.
    public static func hsIndex(blindedPublicKey: [UInt8], replica: UInt64, period: TimePeriod) -> [UInt8] {
        Hash.sha3_256(HSPrimitives.ascii("store-at-idx") + blindedPublicKey + replica.bigEndianBytes
                      + period.lengthMinutes.bigEndianBytes + period.number.bigEndianBytes)
    }

    /// The shared random value to use when no authority published one (rend-spec-v3 §2.3.1):
    /// `SHA3-256("shared-random-disaster" | INT_8(period_length) | INT_8(period_num))`.
    public static func disasterSharedRandomValue(period: TimePeriod) -> [UInt8] {
        Hash.sha3_256(HSPrimitives.ascii("shared-random-disaster")
                      + period.lengthMinutes.bigEndianBytes + period.number.bigEndianBytes)
    }

    /// Which shared random value a client uses to fetch (C `node_set_hsdir_index`,
    /// `hs_in_period_between_tp_and_srv`).
    ///
    /// `srv_start` is the start of the current shared-random run (`valid_after` minus the
    /// elapsed rounds of the 24-round run) and `tp_start` the start of the first time period
    /// after it. From `srv_start` until `tp_start` (00:00–12:00 UTC live) the *previous* SRV is
    /// used, otherwise the *current* one. A missing value is replaced by the disaster SRV of
    /// `period`, the current period.
    public static func sharedRandomValueForFetching(validAfter: Date, votingInterval: TimeInterval,
                                                    current: [UInt8]?, previous: [UInt8]?,
                                                    period: TimePeriod) -> [UInt8] {
        let usePrevious = isBetweenSharedRandomAndTimePeriod(validAfter: validAfter, votingInterval: votingInterval,
                                                             period: period)
        let chosen = usePrevious ? previous : current
        if let chosen, chosen.count == 32 { return chosen }
        return disasterSharedRandomValue(period: period)
    }

    /// The previous time period and the shared random value it was fetched under, for a client
    /// that finds no descriptor for `period`: only from the start of `period` until the next
    /// shared random value (the "-" segment of rend-spec-v3 §2.2.4.1, 12:00–00:00 UTC live).
    /// In that segment a service still publishes its first descriptor for the previous period,
    /// with live introduction points, for clients whose consensus is still in that period
    /// (§2.2.2.1 "Overlapping descriptors", §2.2.4.2.1): such a client uses the previous period
    /// and the SRV that is now the consensus's *previous* one. Nil outside that segment (a
    /// spec service has dropped the previous period's descriptor by then) and for period 0.
    public static func previousPeriodForFetching(validAfter: Date, votingInterval: TimeInterval, previous: [UInt8]?,
                                                 period: TimePeriod) -> (period: TimePeriod, sharedRandomValue: [UInt8])? {
        guard period.number > 0, validAfter >= period.start,
              !isBetweenSharedRandomAndTimePeriod(validAfter: validAfter, votingInterval: votingInterval, period: period)
        else { return nil }
        let earlier = period.previous
        if let previous, previous.count == 32 { return (earlier, previous) }
        return (earlier, disasterSharedRandomValue(period: earlier))
    }

    /// True from the start of a shared-random run until the next time period starts (C
    /// `hs_in_period_between_tp_and_srv` false: the "=" segment, 00:00–12:00 UTC live).
    static func isBetweenSharedRandomAndTimePeriod(validAfter: Date, votingInterval: TimeInterval,
                                                   period: TimePeriod) -> Bool {
        guard votingInterval >= 1, validAfter.timeIntervalSince1970 >= 0 else { return false }
        let interval = UInt64(votingInterval)
        let validAfterSeconds = UInt64(validAfter.timeIntervalSince1970)
        let round = (validAfterSeconds / interval) % TimePeriod.roundsPerRun
        let srvStart = validAfterSeconds - round * interval
        // Start of the first time period after srv_start (C hs_get_start_time_of_next_time_period).
        let offsetMinutes = period.rotationOffsetSeconds / 60
        let minutes = srvStart / 60
        let numberAtSrvStart = minutes >= offsetMinutes ? (minutes - offsetMinutes) / period.lengthMinutes : 0
        let tpStart = (numberAtSrvStart + 1) * period.lengthMinutes * 60 + period.rotationOffsetSeconds
        return validAfterSeconds >= srvStart && validAfterSeconds < tpStart
    }
}
