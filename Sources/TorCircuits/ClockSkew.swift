import FoundationEssentials
import Synchronization

/// Human wording for clock differences.
public enum ClockSkew {
    /// "3 hours ahead", "2 days behind", from our clock minus the true one.
    public static func describe(_ seconds: TimeInterval) -> String {
        let magnitude = abs(seconds)
        let direction = seconds > 0 ? "ahead" : "behind"
        let amount: String
        switch magnitude {
        case ..<120: amount = "\(Int(magnitude)) seconds"
        case ..<7200: amount = "\(Int(magnitude / 60)) minutes"
        case ..<172_800: amount = "\(Int(magnitude / 3600)) hours"
        default: amount = "\(Int(magnitude / 86_400)) days"
        }
        return "\(amount) \(direction)"
    }
}

/// Collects the clock differences relays reported in NETINFO, so the client can warn once that the
/// local clock is wrong (C tor does the same) instead of failing with baffling certificate errors.
public final class ClockSkewMonitor: Sendable {
    private let samples = Mutex<[TimeInterval]>([])

    public init() {}

    /// Records `skew` = relay clock minus ours.
    public func record(_ skew: TimeInterval) {
        samples.withLock { values in
            values.append(skew)
            if values.count > 32 { values.removeFirst(values.count - 32) }
        }
    }

    /// Our clock minus the relays' (median), if any relay reported its time.
    public var localClockOffset: TimeInterval? {
        let values = samples.withLock { $0 }.sorted()
        guard !values.isEmpty else { return nil }
        return -values[values.count / 2]
    }

    /// A sentence for the user when the offset is beyond ``Channel/clockSkewTolerance``.
    public var warning: String? {
        guard let offset = localClockOffset, abs(offset) > Channel.clockSkewTolerance else { return nil }
        return "this computer's clock is \(ClockSkew.describe(offset)) compared with the Tor relays; fix the system clock (e.g. enable NTP)"
    }
}
