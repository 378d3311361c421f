import TorProto

/// Everything needed to extend a circuit to a relay with ntor.
public struct ExtendTarget: Sendable, Equatable {
    public var nickname: String
    /// Link specifiers for EXTEND2, in the order to send them.
    public var linkSpecifiers: [LinkSpecifier]
    public var rsaIdentity: [UInt8]
    public var ntorOnionKey: [UInt8]

    public init(nickname: String, linkSpecifiers: [LinkSpecifier], rsaIdentity: [UInt8], ntorOnionKey: [UInt8]) {
        self.nickname = nickname
        self.linkSpecifiers = linkSpecifiers
        self.rsaIdentity = rsaIdentity
        self.ntorOnionKey = ntorOnionKey
    }

    /// A relay known from the directory: link specifiers in C tor's order (IPv4, RSA id, Ed25519 id, IPv6).
    public init(nickname: String, ipv4: [UInt8], port: UInt16, rsaIdentity: [UInt8], ed25519Identity: [UInt8]?,
                ntorOnionKey: [UInt8]) {
        var specifiers: [LinkSpecifier] = [.ipv4(address: ipv4, port: port), .legacyID(rsaIdentity)]
        if let ed25519Identity { specifiers.append(.ed25519ID(ed25519Identity)) }
        self.init(nickname: nickname, linkSpecifiers: specifiers, rsaIdentity: rsaIdentity, ntorOnionKey: ntorOnionKey)
    }
}
