import FoundationEssentials
import OnionService
import TorDirectory

/// How a ``TorClient`` reaches the network and where it keeps state.
public struct TorClientConfiguration: Sendable {
    public var network: NetworkConfig
    public var paths: TorPaths
    /// Seconds allowed for each network step (connect, circuit hop, stream open).
    public var stepTimeout: TimeInterval
    /// When a rendezvous circuit to a service that never acknowledges data (sends no circuit
    /// SENDMEs, as Minitor firmware) is replaced before it stalls.
    public var rendezvousRenewal: RendezvousRenewal = .default
    /// How long a bootstrap with no usable consensus keeps retrying directory sources (with
    /// backoff) before it reports that no directory is reachable. Long-running clients (the
    /// dashboard, the proxy) keep the default; a command run once gives it part of its own budget.
    public var directoryRetryPatience: TimeInterval = 600
    /// Ask for congestion control (proposal 324) where the consensus turns it on: onion services
    /// whose descriptor offers it (INTRODUCE1), and directory relays listing `FlowCtrl=2` (ntor v3).
    /// Off: always the fixed SENDME windows (for comparisons).
    public var congestionControl: Bool
    /// The most time one onion-service proof of work (prop 327) may take before the introduction
    /// goes without one; zero never solves (a client without proof of work, for comparisons).
    public var proofOfWorkBudget: Duration = .seconds(60)
    /// Vanguards-lite (prop 333): a pinned layer-2 relay as second hop of every onion-service
    /// circuit, and 4 hops to HSDirs and introduction points, as C tor. Off only for comparisons.
    public var vanguardsLite = true
    /// Directory guards (prop 271): once a directory is known, documents are asked of the primary
    /// guards that are directory caches before fallbacks and authorities, as C tor and arti do.
    /// Off: fallbacks and authorities only (tests that make every directory source unreachable).
    public var directoryGuards = true
    /// Keep onion-service descriptors on disk (in the cache folder, `hs-descriptors/`) so that a
    /// new process reaches a service it reached before without asking the HSDirs (issue 15, warm
    /// start). Each is verified and decrypted again when read; off keeps them in memory only, as C tor.
    public var keepDescriptorsOnDisk = true

    public init(network: NetworkConfig, paths: TorPaths? = nil, stepTimeout: TimeInterval = 20, congestionControl: Bool = true) {
        self.network = network
        self.paths = paths ?? TorPaths.standard(networkID: network.networkID)
        self.stepTimeout = stepTimeout
        self.congestionControl = congestionControl
    }

    /// The real Tor network, or the network file named by `path` (or `$ONIONCTL_NETWORK`).
    public static func load(networkFile path: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> TorClientConfiguration {
        guard let path = path ?? environment["ONIONCTL_NETWORK"], !path.isEmpty else {
            return TorClientConfiguration(network: .defaultTorNetwork)
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TorClientError.configuration("cannot read network file \(path): \(errorDetail(error))")
        }
        do {
            return TorClientConfiguration(network: try NetworkConfig(parsing: text))
        } catch {
            throw TorClientError.configuration("network file \(path): \(error)")
        }
    }
}
