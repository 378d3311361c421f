import FoundationEssentials
import TorCircuits
import TorDirectory

/// Where directory documents are fetched from, and when a source that failed may be tried again:
/// C tor's download schedules, simplified. Fallbacks first (they exist to spare the authorities),
/// then authorities, each in random order; a source that fails (unreachable, an error status, a
/// document that does not verify) waits an exponentially growing, jittered delay before it is
/// tried again, so a bootstrap goes on through sources that come and go without hammering any.
struct DirectorySourceSchedule: Sendable {
    struct Source: Sendable, Equatable {
        var address: RelayAddress
        var identity: [UInt8]
        var name: String
    }

    private(set) var sources: [Source]
    /// Tried before ``sources``: the client's directory guards, once a directory is known.
    private(set) var preferred: [Source] = []
    private var failures: [String: (count: Int, retryAt: Date)] = [:]
    /// First delay after a failure, and the most a delay grows to.
    let initialDelay: TimeInterval
    let maximumDelay: TimeInterval

    init(sources: [Source], initialDelay: TimeInterval = 1, maximumDelay: TimeInterval = 60) {
        self.sources = sources
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The network's fallbacks (shuffled) then its authorities (shuffled).
    init(config: NetworkConfig) {
        let fallbacks = config.fallbacks.shuffled().map {
            Source(address: RelayAddress(host: $0.address, port: $0.orPort), identity: $0.rsaIdentity,
                   name: "fallback \($0.address):\($0.orPort)")
        }
        let authorities = config.v3Authorities.shuffled().map {
            Source(address: RelayAddress(host: $0.address, port: $0.orPort), identity: $0.fingerprint, name: "authority \($0.nickname)")
        }
        self.init(sources: fallbacks + authorities)
    }

    /// Sources to try before the others (the directory guards), replacing earlier ones.
    mutating func prefer(_ sources: [Source]) { preferred = sources }

    /// The first source that is not waiting out a failure at `now`, skipping `excluded`: a
    /// preferred one if any is ready, else the fallbacks and authorities in order.
    /// With `preferredOnly` (a refresh while the held consensus is live, as C tor fetches only
    /// from its directory guards once bootstrapped), nil when no preferred source is ready, unless
    /// there are none (no guard is a directory cache): then every source.
    func next(at now: Date, excluding excluded: Set<String> = [], preferredOnly: Bool = false) -> Source? {
        (preferredOnly && !preferred.isEmpty ? preferred : preferred + sources).first { source in
            !excluded.contains(source.name) && (failures[source.name].map { $0.retryAt <= now } ?? true)
        }
    }

    /// When the soonest waiting source may be tried again (nil when no source is waiting).
    var earliestRetry: Date? { failures.values.map(\.retryAt).min() }

    /// Records that `name` failed at `now`: it waits initialDelay × 2^(failures−1), capped, times a
    /// random factor in 0.5…1.5 (`jitter` supplies it, for tests).
    mutating func failed(_ name: String, at now: Date, jitter: Double = Double.random(in: 0.5...1.5)) {
        let count = (failures[name]?.count ?? 0) + 1
        let delay = min(maximumDelay, initialDelay * pow2(count - 1)) * jitter
        failures[name] = (count, now.addingTimeInterval(delay))
    }

    /// Forgets `name`'s failures.
    mutating func succeeded(_ name: String) { failures[name] = nil }

    /// How many times `name` has failed in a row.
    func failureCount(_ name: String) -> Int { failures[name]?.count ?? 0 }

    private func pow2(_ exponent: Int) -> Double {
        exponent >= 62 ? .greatestFiniteMagnitude : Double(1 << exponent)
    }
}

extension DirectorySourceSchedule.Source {
    /// A directory guard as a source: reached at its OR port, named "directory guard NAME~FP".
    init(directoryGuard relay: Relay) {
        self.init(address: relay.orAddress, identity: relay.rsaIdentity, name: "directory guard \(relay.displayName)")
    }
}
