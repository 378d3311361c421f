import FoundationEssentials
import TorProto

/// Keeps one open channel per relay and shares it among circuits (as relays expect: one TLS
/// connection per client). Concurrent requests for the same relay share one connection attempt.
public actor ChannelPool {
    private var channels: [[UInt8]: Channel] = [:]
    private var connecting: [[UInt8]: Task<Channel, any Error>] = [:]
    private let timeout: TimeInterval
    /// Called with each new channel (e.g. to report clock skew).
    private let onOpen: @Sendable (Channel) -> Void
    /// How long a channel with no circuit is kept, drawn per channel from this range.
    private let idleTimeout: ClosedRange<TimeInterval>
    /// Since when each channel without circuits has been idle, and when it is to be closed.
    private var idle: [[UInt8]: (since: Date, closeAt: Date)] = [:]

    /// - Parameter idleTimeout: a channel that carries no circuit is closed after a time drawn from
    ///   this range (C tor's client: 3 to 4.5 minutes), so the channels opened to other guards while
    ///   the usual ones were down, or to directory sources, do not stay open for good.
    public init(timeout: TimeInterval = 15, idleTimeout: ClosedRange<TimeInterval> = 180...270,
                onOpen: @escaping @Sendable (Channel) -> Void = { _ in }) {
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.onOpen = onOpen
    }

    /// An open channel to the relay at `address` proving `expected`.
    public func channel(to address: RelayAddress, expected: ExpectedIdentity) async throws -> Channel {
        let key = Self.key(address: address, expected: expected)
        idle[key] = nil
        closeIdleChannels(at: Date())
        if let channel = channels[key], channel.isOpen, Self.channel(channel, proves: expected) { return channel }
        dropClosedChannels()
        if let task = connecting[key] {
            let channel = try await task.value
            if Self.channel(channel, proves: expected) { return channel }
        }
        let timeout = self.timeout
        let task = Task { try await Channel.connect(to: address, expected: expected, timeout: timeout) }
        connecting[key] = task
        defer { connecting[key] = nil }
        let channel = try await task.value
        channels[key] = channel
        onOpen(channel)
        return channel
    }

    /// Forgets channels that have closed, so that their TLS state and buffers (tens of kB each)
    /// are freed when the channel closes rather than when the same relay is next connected to,
    /// which for most relays of a large network is never (issue 19's soak).
    private func dropClosedChannels() {
        channels = channels.filter { $0.value.isOpen }
        idle = idle.filter { channels[$0.key] != nil }
    }

    /// Closes the channels that have carried no circuit for their idle timeout; starts the clock
    /// of those that just became idle. Runs whenever a channel is asked for (the dashboard and a
    /// proxy ask every few seconds), and from ``closeIdleChannels()``.
    private func closeIdleChannels(at now: Date) {
        for (key, channel) in channels {
            guard channel.isOpen, channel.circuitCount == 0 else { idle[key] = nil; continue }
            guard let since = idle[key] else {
                idle[key] = (now, now.addingTimeInterval(TimeInterval.random(in: idleTimeout)))
                continue
            }
            if now >= since.closeAt {
                channel.close()
                channels[key] = nil
                idle[key] = nil
            }
        }
    }

    /// Closes the channels idle past their timeout now (see ``init(timeout:idleTimeout:onOpen:)``).
    public func closeIdleChannels() { closeIdleChannels(at: Date()) }

    /// Channels are looked up by RSA identity (by address for a directory source known by address
    /// alone); one is reused only if it proved every identity the caller expects.
    static func key(address: RelayAddress, expected: ExpectedIdentity) -> [UInt8] {
        expected.rsaIdentity ?? Array(address.description.utf8)
    }

    /// Whether `channel`'s proven identities are every identity the caller expects.
    static func channel(_ channel: Channel, proves expected: ExpectedIdentity) -> Bool {
        if let rsa = expected.rsaIdentity, rsa != channel.identities.rsaIdentity { return false }
        if let ed = expected.ed25519Identity, ed != channel.identities.ed25519Identity { return false }
        return true
    }

    /// All channels currently open.
    public var openChannels: [Channel] { channels.values.filter(\.isOpen) }

    /// What the pool holds right now, counts only (for soak runs and status views): channels kept
    /// (open or not yet dropped), open channels, circuits registered on them, streams on those.
    public var resourceCounts: ChannelPoolCounts {
        let open = openChannels
        return ChannelPoolCounts(channels: channels.count, openChannels: open.count,
                                 circuits: open.reduce(0) { $0 + $1.circuitCount },
                                 streams: open.reduce(0) { $0 + $1.streamCount },
                                 connecting: connecting.count)
    }

    /// IDs of the circuits registered on the open channels (to tell whether a circuit a cache
    /// holds is still known to its channel).
    public var registeredCircuitIDs: Set<UInt32> { Set(openChannels.flatMap(\.circuitIDs)) }

    /// Closes every channel.
    public func closeAll() {
        for channel in channels.values { channel.close() }
        channels.removeAll()
        idle.removeAll()
    }
}

/// Resource counts of a ``ChannelPool`` (see ``ChannelPool/resourceCounts``).
public struct ChannelPoolCounts: Sendable, Equatable {
    public var channels: Int
    public var openChannels: Int
    public var circuits: Int
    public var streams: Int
    public var connecting: Int
}
