/// One `directory-signature [algorithm] identity signing-key-digest` item with its signature.
public struct DirectorySignature: Sendable, Equatable {
    /// `sha256` for microdesc consensuses; `sha1` when the algorithm is omitted.
    public var algorithm: String
    /// The authority's v3 identity (SHA-1 of its identity key), 20 bytes.
    public var identity: [UInt8]
    /// SHA-1 of the authority's signing key, 20 bytes.
    public var signingKeyDigest: [UInt8]
    public var signature: [UInt8]
    public var line: Int

    init(item: NetDocument.Item) throws {
        let offset: Int
        if item.arguments.count >= 3 {
            algorithm = item.arguments[0]
            offset = 1
        } else {
            algorithm = "sha1"
            offset = 0
        }
        identity = try item.hexArgument(offset, length: 20)
        signingKeyDigest = try item.hexArgument(offset + 1, length: 20)
        signature = try item.requiredObject(tags: ["SIGNATURE"]).bytes
        line = item.line
    }
}

/// An authority listed in a consensus `dir-source` line.
public struct DirSource: Sendable, Equatable {
    public var nickname: String
    /// v3 identity, 20 bytes.
    public var identity: [UInt8]
    public var hostname: String
    public var address: String
    public var dirPort: UInt16
    public var orPort: UInt16
}

/// A shared random value line: `shared-rand-current-value NumReveals Value`.
public struct SharedRandomValue: Sendable, Equatable {
    public var numReveals: Int
    /// 32 bytes.
    public var value: [UInt8]
}
