import FoundationEssentials
import TorDirectory
import TorProto

/// A relay the client can use: its consensus entry joined with its microdescriptor.
///
/// A class, immutable: path selection, guard sampling and coverage filter and sort the directory's
/// relays (~8,000 on the public network) into many arrays, which then hold 8-byte references
/// instead of ~300-byte copies with a dozen reference counts each (issue 12).
public final class Relay: Sendable, Hashable {
    public let status: RouterStatus
    public let microdescriptor: Microdescriptor

    public init(status: RouterStatus, microdescriptor: Microdescriptor) {
        self.status = status
        self.microdescriptor = microdescriptor
    }

    public var nickname: String { status.nickname }
    public var rsaIdentity: [UInt8] { status.rsaIdentity }
    public var ed25519Identity: [UInt8]? {
        status.flags.contains(.noEdConsensus) ? nil : microdescriptor.ed25519Identity
    }
    public var flags: RouterFlags { status.flags }
    /// The first IPv6 OR address (C tor's preferred one), as 16 bytes, if the relay has one.
    public var ipv6AddressBytes: [UInt8]? { status.ipv6Addresses.first.flatMap { ipv6Bytes($0.address) } }
    public var orAddress: RelayAddress { RelayAddress(host: status.address, port: status.orPort) }

    /// Fingerprint as C tor prints it, `$HEX~nickname`.
    public var displayName: String { "\(nickname)~\(hexString(rsaIdentity).uppercased().prefix(8))" }

    /// What to expect in the relay's CERTS cell.
    public var expectedIdentity: ExpectedIdentity {
        ExpectedIdentity(rsaIdentity: rsaIdentity, ed25519Identity: ed25519Identity, name: displayName)
    }

    /// How to extend a circuit to this relay.
    public var extendTarget: ExtendTarget {
        ExtendTarget(nickname: displayName, ipv4: status.addressBytes, port: status.orPort, rsaIdentity: rsaIdentity,
                     ed25519Identity: ed25519Identity, ntorOnionKey: microdescriptor.ntorOnionKey,
                     supportsNtorV3: supportsNtorV3, supportsCongestionControl: supportsCongestionControl)
    }

    /// Whether the relay lists congestion control (`FlowCtrl=2` in its consensus `pr` line).
    public var supportsCongestionControl: Bool { status.protocols.supports("FlowCtrl", 2) }

    /// Whether the relay lists ntor v3 (`Relay=4` in its consensus `pr` line).
    public var supportsNtorV3: Bool { status.protocols.supports("Relay", 4) }

    public static func == (lhs: Relay, rhs: Relay) -> Bool { lhs.rsaIdentity == rhs.rsaIdentity }
    public func hash(into hasher: inout Hasher) { hasher.combine(rsaIdentity) }
}

/// The network as the client currently knows it: a verified consensus and the relays whose
/// microdescriptors it holds.
public struct NetDirectory: Sendable {
    public let consensus: Consensus
    public let relays: [Relay]
    /// Mirrors C tor's `TestingTorNetwork`: testing time periods, and by default no subnet rule.
    public let isTestingNetwork: Bool
    /// C tor's `EnforceDistinctSubnets`: relays in one IPv4 /16 or IPv6 /32 never share a path.
    /// Defaults to on, off on a testing network (the private network runs every relay on 127.0.0.1).
    public let enforceDistinctSubnets: Bool

    public init(consensus: Consensus, microdescriptors: [[UInt8]: Microdescriptor], isTestingNetwork: Bool,
                enforceDistinctSubnets: Bool? = nil) {
        self.consensus = consensus
        self.isTestingNetwork = isTestingNetwork
        self.enforceDistinctSubnets = enforceDistinctSubnets ?? !isTestingNetwork
        relays = consensus.routers.compactMap { status in
            guard status.flags.contains(.running), status.flags.contains(.valid),
                  let micro = microdescriptors[status.microdescriptorDigest] else { return nil }
            return Relay(status: status, microdescriptor: micro)
        }
    }

    /// Relays with the given RSA identity.
    public func relay(rsaIdentity: [UInt8]) -> Relay? { relays.first { $0.rsaIdentity == rsaIdentity } }

    /// Fraction of consensus routers whose microdescriptors we have.
    public var completeness: Double {
        consensus.routers.isEmpty ? 0 : Double(relays.count) / Double(consensus.routers.count)
    }
}
