import FoundationEssentials

/// Why an onion service could not be reached, in words a device owner can act on.
public enum OnionServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidAddress(String)
    /// No responsible HSDir had a descriptor: the service is not published (offline?).
    case descriptorNotFound(onion: String, triedDirectories: Int)
    /// The descriptor is encrypted for authorized clients only and we have no key.
    case clientAuthorizationRequired(onion: String)
    /// We have a key, but the service did not authorize it.
    case clientAuthorizationRejected(onion: String)
    case badDescriptor(onion: String, detail: String)
    case introductionFailed(onion: String, detail: String)
    /// The descriptor exists but its introduction points no longer know the service: it stopped.
    case serviceOffline(onion: String)
    case rendezvousFailed(onion: String, detail: String)
    case timedOut(onion: String, phase: ConnectionPhase)
    case network(String)
    case streamRefused(onion: String, port: UInt16, detail: String)

    public var description: String {
        switch self {
        case let .invalidAddress(detail): return "invalid onion address: \(detail)"
        case let .descriptorNotFound(onion, tried):
            return "\(onion) is not published on the Tor network (asked \(tried) directories). The device may be offline or still starting."
        case let .clientAuthorizationRequired(onion):
            return "\(onion) requires client authorization, and no key is configured for it. Import its key (onionctl import) or ask the owner for one."
        case let .clientAuthorizationRejected(onion):
            return "\(onion) did not accept our client-authorization key. The key is wrong or was revoked on the device."
        case let .badDescriptor(onion, detail): return "\(onion) published an invalid descriptor: \(detail)"
        case let .introductionFailed(onion, detail):
            return "could not introduce ourselves to \(onion): \(detail). The device may be overloaded or restarting; try again."
        case let .serviceOffline(onion):
            return "\(onion) is offline: its last published introduction points say it is gone. It will be reachable again once the device is back online."
        case let .rendezvousFailed(onion, detail):
            return "\(onion) did not join the rendezvous: \(detail). The device may be overloaded or offline; try again."
        case let .timedOut(onion, phase): return "timed out reaching \(onion) during \(phase.description)"
        case let .network(detail): return "Tor network problem: \(detail)"
        case let .streamRefused(onion, port, detail): return "\(onion) refused a connection to port \(port): \(detail)"
        }
    }

    /// A short category for scripts (`--json`) and exit codes.
    public var kind: String {
        switch self {
        case .invalidAddress: return "invalid-address"
        case .descriptorNotFound: return "descriptor-not-found"
        case .clientAuthorizationRequired: return "client-auth-required"
        case .clientAuthorizationRejected: return "client-auth-rejected"
        case .badDescriptor: return "bad-descriptor"
        case .introductionFailed: return "introduction-failed"
        case .serviceOffline: return "offline"
        case .rendezvousFailed: return "rendezvous-failed"
        case .timedOut: return "timed-out"
        case .network: return "network"
        case .streamRefused: return "stream-refused"
        }
    }
}

/// The steps of reaching an onion service, reported as progress.
public enum ConnectionPhase: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case directory, descriptor, introduction, rendezvous, connected

    public var description: String {
        switch self {
        case .directory: return "directory"
        case .descriptor: return "descriptor fetch"
        case .introduction: return "introduction"
        case .rendezvous: return "rendezvous"
        case .connected: return "stream open"
        }
    }
}

/// One progress report: which phase started (or finished, for `.connected`) and when.
public struct ConnectionProgress: Sendable, Equatable {
    public var onion: String
    public var phase: ConnectionPhase
    public var detail: String
    public var elapsed: TimeInterval

    public init(onion: String, phase: ConnectionPhase, detail: String, elapsed: TimeInterval) {
        self.onion = onion
        self.phase = phase
        self.detail = detail
        self.elapsed = elapsed
    }
}
