import FoundationEssentials

extension Consensus {
    /// Whether `now` lies in `valid-after … valid-until`.
    public func isLive(at now: Date) -> Bool { validAfter <= now && now <= validUntil }

    /// Whether `now` is at most 24 h past `valid-until` (C tor's "reasonably live").
    public func isReasonablyLive(at now: Date) -> Bool {
        validAfter <= now && now <= validUntil.addingTimeInterval(ConsensusVerifier.maximumLiveSlack)
    }

    /// When a client should fetch the next consensus (dir-spec §5.1): a point chosen uniformly by
    /// `fraction` (0…1) in the interval starting `3/4 × interval` after `fresh-until` and ending at
    /// `7/8` of the time remaining from there to `valid-until`.
    public func refetchTime(fraction: Double) -> Date {
        let start = freshUntil.addingTimeInterval(votingInterval * 3 / 4)
        let end = start.addingTimeInterval(max(0, validUntil.timeIntervalSince(start)) * 7 / 8)
        let f = min(max(fraction, 0), 1)
        return start.addingTimeInterval(end.timeIntervalSince(start) * f)
    }

}
