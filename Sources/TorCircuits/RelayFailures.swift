import FoundationEssentials
import Synchronization

/// Relays that recently failed (refused a connection, did not extend, timed out), avoided in new
/// paths for a while as C tor does, while other relays remain.
public final class RelayFailures: Sendable {
    /// How long a failed relay is avoided.
    public let avoidFor: TimeInterval
    private let failures = Mutex<[[UInt8]: Date]>([:])

    public init(avoidFor: TimeInterval = 120) { self.avoidFor = avoidFor }

    public func markFailed(_ rsaIdentity: [UInt8], at time: Date = Date()) {
        failures.withLock { $0[rsaIdentity] = time }
    }

    public func markSucceeded(_ rsaIdentity: [UInt8]) {
        _ = failures.withLock { $0.removeValue(forKey: rsaIdentity) }
    }

    /// Identities to avoid at `time`.
    public func avoided(at time: Date = Date()) -> Set<[UInt8]> {
        failures.withLock { entries in
            entries = entries.filter { time.timeIntervalSince($0.value) < avoidFor }
            return Set(entries.keys)
        }
    }
}

/// A circuit could not be built because one relay of its path failed.
public struct PathBuildError: Error, Sendable, CustomStringConvertible {
    /// The relay whose hop failed (connection, handshake or extension).
    public var relay: String
    public var rsaIdentity: [UInt8]
    public var underlying: String

    public var description: String { "relay \(relay) failed: \(underlying)" }
}
