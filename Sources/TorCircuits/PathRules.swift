import FoundationEssentials
import TorDirectory
import TorProto

/// The rules that keep two relays off one path and relays out of positions they may not hold
/// (path-spec §2.2; C tor `nodes_in_same_family`, `router_can_choose_node`; arti `tor-netdir`).
public enum PathRules {
    /// Whether `relay` may hold `position`. A `MiddleOnly` relay is only ever a middle hop: never
    /// a guard, exit, directory, nor an onion-service endpoint (rendezvous point, introduction
    /// point, HSDir). Authorities already strip Guard, Exit, HSDir and V2Dir from such relays
    /// (consensus method 32+); this check holds even for a consensus that did not.
    public static func may(_ relay: Relay, serveAs position: PathPosition) -> Bool {
        position == .middle || !relay.flags.contains(.middleOnly)
    }

    /// Whether `a` and `b` belong to one family: each lists the other in its `family` line
    /// (consensus param `use-family-lists`, default 1), or they share a `family-ids` entry
    /// (`use-family-ids`, default 1). Unknown forms (bare nicknames) are ignored, as C tor does.
    public static func inSameFamily(_ a: Relay, _ b: Relay, params: ConsensusParams = ConsensusParams()) -> Bool {
        if a.rsaIdentity == b.rsaIdentity { return true }
        if params.value("use-family-ids", default: 1, range: 0...1) == 1 {
            let ids = Set(a.microdescriptor.familyIDs)
            if !ids.isEmpty && !ids.isDisjoint(with: b.microdescriptor.familyIDs) { return true }
        }
        if params.value("use-family-lists", default: 1, range: 0...1) == 1 {
            return lists(a, b) && lists(b, a)
        }
        return false
    }

    /// Whether `x`'s `family` line names `y` by fingerprint (`$HEX`, `$HEX=nick`, `$HEX~nick`).
    static func lists(_ x: Relay, _ y: Relay) -> Bool {
        let hex = "$" + hexString(y.rsaIdentity).uppercased()
        return x.microdescriptor.family.contains { entry in
            let upper = entry.uppercased()
            return upper == hex || upper.hasPrefix(hex + "=") || upper.hasPrefix(hex + "~")
        }
    }

    /// Whether `a` and `b` share an IPv4 /16 or (their preferred, first) IPv6 /32, as C tor's
    /// `router_addrs_in_same_network` does when `EnforceDistinctSubnets` is on.
    public static func inSameSubnet(_ a: Relay, _ b: Relay) -> Bool {
        let x = a.status.addressBytes, y = b.status.addressBytes
        if x.count == 4 && y.count == 4 && x[0] == y[0] && x[1] == y[1] { return true }
        if let x6 = a.ipv6AddressBytes, let y6 = b.ipv6AddressBytes, x6.prefix(4) == y6.prefix(4) { return true }
        return false
    }
}
