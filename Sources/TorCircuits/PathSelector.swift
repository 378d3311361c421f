import FoundationEssentials
import TorDirectory
import TorProto

/// Where in a path a relay is used; decides which bandwidth weights apply (dir-spec §3.4.1) and
/// whether a `MiddleOnly` relay may hold it (``PathRules/may(_:serveAs:)``).
public enum PathPosition: Sendable {
    case `guard`, middle, exit, directory
    /// The last hop of an onion-service circuit that the client chooses itself (rendezvous point)
    /// or that the HSDir ring names. Weighted like a middle hop, as C tor picks these
    /// (`router_choose_random_node` with `CRN_FOR_HS`), but never a `MiddleOnly` relay.
    case onionServiceEndpoint
}

/// Why no path could be chosen.
public enum PathError: Error, Equatable, Sendable, CustomStringConvertible {
    case noCandidates(String)
    /// A 3-hop onion-service circuit cannot end at its own guard (the layer-2 relay would have to
    /// extend back to the hop it came from, which relays refuse): choose another endpoint.
    case endpointIsGuard(String)

    public var description: String {
        switch self {
        case let .noCandidates(what): return "no usable relay for \(what) in the consensus"
        case let .endpointIsGuard(name): return "\(name) is this circuit's guard and cannot also be its rendezvous point"
        }
    }
}

/// Chooses relays the way path-spec §2.2 describes: bandwidth-weighted by position, with flags,
/// never the same relay twice, never two of one family, and (with `EnforceDistinctSubnets`, on
/// off testing networks) never two in one IPv4 /16 or IPv6 /32; `MiddleOnly` relays only as
/// middle hops.
public struct PathSelector: Sendable {
    public let directory: NetDirectory
    /// Relays recently seen failing, avoided while alternatives exist.
    public var avoid: Set<[UInt8]>

    public init(directory: NetDirectory, avoid: Set<[UInt8]> = []) {
        self.directory = directory
        self.avoid = avoid
    }

    /// Picks one relay for `position` that may share a path with `others`.
    public func pick(_ position: PathPosition, requiring flags: RouterFlags = [], excluding others: [Relay] = [],
                     where extra: (Relay) -> Bool = { _ in true }) throws -> Relay {
        let candidates = directory.relays.filter { relay in
            relay.flags.isSuperset(of: flags) && PathRules.may(relay, serveAs: position)
        }.filter { relay in
            extra(relay) && others.allSatisfy { canShare(relay, $0) }
        }
        let preferred = candidates.filter { !avoid.contains($0.rsaIdentity) }
        let pool = preferred.isEmpty ? candidates : preferred
        guard let relay = weightedChoice(pool, position: position) else {
            throw PathError.noCandidates("\(position) position\(flags.isEmpty ? "" : " with flags \(flags.names.joined(separator: ","))")")
        }
        return relay
    }

    /// Whether two relays may appear in the same circuit: not the same relay, not one family, and
    /// (when the directory enforces distinct subnets) not one IPv4 /16 or IPv6 /32.
    public func canShare(_ a: Relay, _ b: Relay) -> Bool {
        if a.rsaIdentity == b.rsaIdentity { return false }
        if PathRules.inSameFamily(a, b, params: directory.consensus.params) { return false }
        if directory.enforceDistinctSubnets && PathRules.inSameSubnet(a, b) { return false }
        return true
    }

    /// Bandwidth × position weight, as C tor's `compute_weighted_bandwidths`.
    func weight(of relay: Relay, position: PathPosition) -> Double {
        let consensus = directory.consensus
        let isGuard = relay.flags.contains(.guard)
        let isExit = relay.flags.contains(.exit) && !relay.flags.contains(.badExit)
        let suffix: String
        switch (isGuard, isExit) {
        case (true, true): suffix = "d"
        case (true, false): suffix = "g"
        case (false, true): suffix = "e"
        case (false, false): suffix = "m"
        }
        let prefix: String
        switch position {
        case .guard: prefix = "Wg"
        case .middle, .onionServiceEndpoint: prefix = "Wm"
        case .exit: prefix = "We"
        case .directory: prefix = "Wb"
        }
        var factor = Double(consensus.weight(prefix + suffix))
        // Guards never weigh exits-only relays and vice versa: C tor uses 0 where no weight applies.
        if position == .guard && !isGuard { factor = 0 }
        // A relay listed with no bandwidth weighs nothing, as in C tor (`kb_to_bytes(bandwidth_kb)`):
        // it is chosen only when every candidate weighs nothing (uniformly, below).
        let bandwidth = Double(relay.status.bandwidth)
        return bandwidth * factor / Double(consensus.params.bwweightscale)
    }

    func weightedChoice(_ relays: [Relay], position: PathPosition) -> Relay? {
        guard !relays.isEmpty else { return nil }
        let weights = relays.map { weight(of: $0, position: position) }
        let total = weights.reduce(0, +)
        guard total > 0 else { return relays.randomElement() }
        var point = Double.random(in: 0..<total)
        for (relay, weight) in zip(relays, weights) {
            if point < weight { return relay }
            point -= weight
        }
        return relays.last
    }
}
