import TorProto

/// Everything needed to extend a circuit to a relay with ntor (v1 or v3).
public struct ExtendTarget: Sendable, Equatable {
    public var nickname: String
    /// Link specifiers for EXTEND2, in the order to send them.
    public var linkSpecifiers: [LinkSpecifier]
    public var rsaIdentity: [UInt8]
    public var ntorOnionKey: [UInt8]
    /// The relay's Ed25519 identity when it supports ntor v3 (`Relay=4`) and has one: then the
    /// circuit uses ntor v3 (CREATE2 type 3) to it; otherwise ntor v1 (type 2).
    public var ntorV3Identity: [UInt8]?
    /// The relay lists `FlowCtrl=2` (congestion control): as the last hop of an exit or directory
    /// circuit it is asked for congestion control in the ntor v3 handshake.
    public var supportsCongestionControl: Bool

    public init(nickname: String, linkSpecifiers: [LinkSpecifier], rsaIdentity: [UInt8], ntorOnionKey: [UInt8],
                ntorV3Identity: [UInt8]? = nil, supportsCongestionControl: Bool = false) {
        self.nickname = nickname
        self.linkSpecifiers = linkSpecifiers
        self.rsaIdentity = rsaIdentity
        self.ntorOnionKey = ntorOnionKey
        self.ntorV3Identity = ntorV3Identity
        self.supportsCongestionControl = supportsCongestionControl
    }

    /// The handshake type the circuit will use to reach this relay.
    public var handshakeType: UInt16 { ntorV3Identity == nil ? HandshakeType.ntor : HandshakeType.ntorV3 }

    /// A relay known from the directory: link specifiers in C tor's order (IPv4, RSA id, Ed25519 id, IPv6).
    public init(nickname: String, ipv4: [UInt8], port: UInt16, rsaIdentity: [UInt8], ed25519Identity: [UInt8]?,
                ntorOnionKey: [UInt8], supportsNtorV3: Bool = false, supportsCongestionControl: Bool = false) {
        var specifiers: [LinkSpecifier] = [.ipv4(address: ipv4, port: port), .legacyID(rsaIdentity)]
        if let ed25519Identity { specifiers.append(.ed25519ID(ed25519Identity)) }
        self.init(nickname: nickname, linkSpecifiers: specifiers, rsaIdentity: rsaIdentity, ntorOnionKey: ntorOnionKey,
                  ntorV3Identity: supportsNtorV3 ? ed25519Identity : nil, supportsCongestionControl: supportsCongestionControl)
    }
}
