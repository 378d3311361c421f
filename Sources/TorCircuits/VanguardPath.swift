import FoundationEssentials
import TorDirectory
import TorProto

extension PathSelector {
    /// The relays before the endpoint of an onion-service circuit under vanguards-lite: the
    /// guard, a layer-2 vanguard, then middle hops, so that with the endpoint the circuit has
    /// `hops` relays (C tor: 4 to an HSDir or introduction point, 3 to a rendezvous point).
    ///
    /// As C tor's `build_vanguard_middle_exclude_list`, these hops exclude only the relays already
    /// on the path, not their families or subnets (the layer-2 set is fixed; excluding by family
    /// would tell an observer which relays the client's guard is related to). The guard may be the
    /// endpoint of a 4-hop circuit (C tor allows it, so a circuit never moves to another guard
    /// because of the endpoint); on a 3-hop one it would be the layer-2 relay's previous and next
    /// hop, which relays refuse (C tor's attempt fails there and it picks another rendezvous
    /// point): ``PathError/endpointIsGuard(_:)`` says so before any cell is sent.
    ///
    /// - Parameters:
    ///   - guardRelay: the first hop.
    ///   - layer2: the current layer-2 vanguards (``VanguardsLite/layer2(in:now:)``).
    ///   - endpoint: the RSA identity of the last hop (which may not be in the consensus).
    /// - Throws: ``PathError/noCandidates(_:)`` when no layer-2 vanguard or middle relay fits,
    ///   ``PathError/endpointIsGuard(_:)`` for a 3-hop circuit ending at its guard.
    public func vanguardPath(guard guardRelay: Relay, layer2: [Relay], endpoint: [UInt8], hops: Int) throws -> [Relay] {
        let before = max(hops - 1, 2)
        if before == 2 && guardRelay.rsaIdentity == endpoint { throw PathError.endpointIsGuard(guardRelay.displayName) }
        var used: Set<[UInt8]> = [guardRelay.rsaIdentity, endpoint]
        let vanguards = layer2.filter { !used.contains($0.rsaIdentity) }
        let preferred = vanguards.filter { !avoid.contains($0.rsaIdentity) }
        guard let second = weightedChoice(preferred.isEmpty ? vanguards : preferred, position: .middle) else {
            throw PathError.noCandidates("layer-2 vanguard (\(layer2.count) pinned, none usable with this guard and endpoint)")
        }
        var path = [guardRelay, second]
        used.insert(second.rsaIdentity)
        while path.count < before {
            let exclude = used
            let middle = try pick(.middle, requiring: [.fast], where: { !exclude.contains($0.rsaIdentity) })
            path.append(middle)
            used.insert(middle.rsaIdentity)
        }
        return path
    }
}
