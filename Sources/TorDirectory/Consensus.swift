import FoundationEssentials
import TorCrypto

/// A parsed microdescriptor-flavoured consensus (dir-spec §3.4.1, §3.9.2).
///
/// Parsing checks structure only. Use ``ConsensusVerifier`` to check signatures and liveness.
public struct Consensus: Sendable {
    public let consensusMethod: Int
    public let validAfter: Date
    public let freshUntil: Date
    public let validUntil: Date
    /// `voting-delay VoteSeconds DistSeconds`.
    public let voteDelay: Int
    public let distDelay: Int
    public let clientVersions: [String]
    public let knownFlags: [String]
    public let recommendedClientProtocols: ProtocolVersions
    public let recommendedRelayProtocols: ProtocolVersions
    public let requiredClientProtocols: ProtocolVersions
    public let requiredRelayProtocols: ProtocolVersions
    public let params: ConsensusParams
    public let sharedRandCurrent: SharedRandomValue?
    public let sharedRandPrevious: SharedRandomValue?
    public let dirSources: [DirSource]
    public let routers: [RouterStatus]
    /// `bandwidth-weights` (`Wgg`, `Wmd`, …).
    public let bandwidthWeights: [String: Int32]
    public let signatures: [DirectorySignature]
    /// SHA-256 of `network-status-version` … the space after the first `directory-signature`.
    public let signedDigestSHA256: [UInt8]
    /// Byte range of `text` that the authorities signed (as for ``signedDigestSHA256``).
    public let signedRange: Range<Int>
    /// SHA-1 of the same range (for `sha1` signatures).
    public let signedDigestSHA1: [UInt8]
    /// SHA3-256 of the same range: what a consensus diff names as its base (prop 140).
    public let signedDigestSHA3: [UInt8]
    /// The full text, as received; empty in a consensus from ``droppingText()``.
    public private(set) var text: [UInt8]

    /// `fresh-until − valid-after`: the voting interval.
    public var votingInterval: TimeInterval { freshUntil.timeIntervalSince(validAfter) }

    /// Parses `text`. Throws ``NetDocumentError`` with the offending line on malformed input.
    ///
    /// The text is read item by item: header and footer items are kept, but a router entry's items
    /// only until its ``RouterStatus`` is made, so a public consensus (~8,000 entries) never has all
    /// its lines tokenised at once (issue 12).
    public init(_ text: [UInt8]) throws {
        var tokenizer = try NetDocumentTokenizer(text)
        guard let first = try tokenizer.next(), first.keyword == "network-status-version" else {
            throw NetDocumentError.wrongDocument("a consensus starts with 'network-status-version'")
        }
        guard first.arguments.count >= 2, first.arguments[0] == "3", first.arguments[1] == "microdesc" else {
            throw NetDocumentError.wrongDocument("line \(first.line): expected 'network-status-version 3 microdesc'")
        }
        var header = [first]
        var afterHeader: NetDocument.Item?
        while let item = try tokenizer.next() {
            if item.keyword == "r" || item.keyword == "directory-footer" { afterHeader = item; break }
            header.append(item)
        }
        guard afterHeader != nil else { throw NetDocumentError.missingKeyword("directory-footer") }

        let status = try header.exactlyOne("vote-status")
        guard status.arguments.first == "consensus" else {
            throw NetDocumentError.badArgument(keyword: "vote-status", value: status.arguments.first ?? "", line: status.line)
        }
        consensusMethod = try header.exactlyOne("consensus-method").intArgument(0)
        validAfter = try DirTime.parse(header.exactlyOne("valid-after"))
        freshUntil = try DirTime.parse(header.exactlyOne("fresh-until"))
        validUntil = try DirTime.parse(header.exactlyOne("valid-until"))
        guard validAfter < freshUntil, freshUntil <= validUntil else {
            let item = try header.exactlyOne("fresh-until")
            throw NetDocumentError.badArgument(keyword: "fresh-until", value: "not between valid-after and valid-until", line: item.line)
        }
        let delay = try header.exactlyOne("voting-delay")
        voteDelay = try delay.intArgument(0)
        distDelay = try delay.intArgument(1)
        clientVersions = try header.atMostOne("client-versions")?.arguments.first?
            .split(separator: ",").map(String.init) ?? []
        knownFlags = try header.exactlyOne("known-flags").arguments

        func protocols(_ keyword: String) throws -> ProtocolVersions {
            guard let item = try header.atMostOne(keyword) else { return ProtocolVersions() }
            return try ProtocolVersions(parsing: item.arguments, line: item.line, keyword: keyword)
        }
        recommendedClientProtocols = try protocols("recommended-client-protocols")
        recommendedRelayProtocols = try protocols("recommended-relay-protocols")
        requiredClientProtocols = try protocols("required-client-protocols")
        requiredRelayProtocols = try protocols("required-relay-protocols")

        if let item = try header.atMostOne("params") {
            params = try ConsensusParams(arguments: item.arguments, keyword: "params", line: item.line)
        } else {
            params = ConsensusParams()
        }
        func srv(_ keyword: String) throws -> SharedRandomValue? {
            guard let item = try header.atMostOne(keyword) else { return nil }
            return SharedRandomValue(numReveals: try item.intArgument(0), value: try item.base64Argument(1, length: 32))
        }
        sharedRandCurrent = try srv("shared-rand-current-value")
        sharedRandPrevious = try srv("shared-rand-previous-value")
        dirSources = try header.filter { $0.keyword == "dir-source" }.map { item in
            guard item.arguments.count >= 6 else {
                throw NetDocumentError.missingArgument(keyword: "dir-source", index: item.arguments.count, line: item.line)
            }
            return DirSource(nickname: item.arguments[0], identity: try item.hexArgument(1, length: 20),
                             hostname: item.arguments[2], address: item.arguments[3],
                             dirPort: try item.intArgument(4), orPort: try item.intArgument(5))
        }

        // Router entries: each starts at an `r` line and runs to the next one or the footer.
        var routers = [RouterStatus]()
        var interner = RouterStatus.Interner()
        var entry = [NetDocument.Item]()
        var item = afterHeader
        while let current = item, current.keyword != "directory-footer" {
            if current.keyword == "r", !entry.isEmpty {
                routers.append(try RouterStatus(items: entry[...], interning: &interner))
                entry.removeAll(keepingCapacity: true)
            }
            entry.append(current)
            item = try tokenizer.next()
        }
        guard let footer = item else { throw NetDocumentError.missingKeyword("directory-footer") }
        if !entry.isEmpty { routers.append(try RouterStatus(items: entry[...], interning: &interner)) }
        self.routers = routers
        var footerItems = [footer]
        while let next = try tokenizer.next() { footerItems.append(next) }

        if let item = try footerItems.atMostOne("bandwidth-weights") {
            bandwidthWeights = try ConsensusParams(arguments: item.arguments, keyword: "bandwidth-weights", line: item.line).values
        } else {
            bandwidthWeights = [:]
        }
        let signatureItems = footerItems.filter { $0.keyword == "directory-signature" }
        guard let firstSignature = signatureItems.first else { throw NetDocumentError.missingKeyword("directory-signature") }
        signatures = try signatureItems.map(DirectorySignature.init(item:))

        // The signed range ends just after "directory-signature " on the first signature line.
        let prefix = Array("directory-signature ".utf8)
        let signedEnd = firstSignature.startOffset + prefix.count
        guard signedEnd <= text.count, Array(text[firstSignature.startOffset..<signedEnd]) == prefix else {
            throw NetDocumentError.badArgument(keyword: "directory-signature", value: "unexpected formatting", line: firstSignature.line)
        }
        signedRange = first.startOffset..<signedEnd
        let signed = text[first.startOffset..<signedEnd]
        signedDigestSHA256 = Hash.sha256(signed)
        signedDigestSHA1 = Hash.sha1(signed)
        signedDigestSHA3 = Hash.sha3_256(signed)
        self.text = text
    }

    /// This consensus without its text (megabytes on the public network), once it is cached: the
    /// client holds the parsed form for an hour, and reads the text back from the cache only to
    /// apply a diff (``DirectoryCache/consensusText(signedDigest:)``).
    public func droppingText() -> Consensus {
        var copy = self
        copy.text = []
        return copy
    }

    public init(string: String) throws { try self.init(Array(string.utf8)) }

    /// The digest a signature with `algorithm` covers; `nil` for unknown algorithms.
    public func signedDigest(for algorithm: String) -> [UInt8]? {
        switch algorithm {
        case "sha256": return signedDigestSHA256
        case "sha1": return signedDigestSHA1
        default: return nil
        }
    }

    /// Looks up a router by RSA identity.
    public func router(identity: [UInt8]) -> RouterStatus? { routers.first { $0.rsaIdentity == identity } }

    /// A bandwidth weight (`Wgg` …), 10000 if absent (path-spec §2.2).
    public func weight(_ name: String) -> Int32 { bandwidthWeights[name] ?? 10000 }
}
