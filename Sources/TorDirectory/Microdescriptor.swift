import TorCrypto

/// A relay microdescriptor (dir-spec §3.3): the keys and summary a client needs to build circuits.
public struct Microdescriptor: Sendable, Equatable {
    /// SHA-256 of the exact text (from `onion-key` up to the next `onion-key` or the end).
    public let digest: [UInt8]
    /// Curve25519 ntor onion key, 32 bytes.
    public let ntorOnionKey: [UInt8]
    /// Ed25519 identity (`id ed25519`), 32 bytes, if present.
    public let ed25519Identity: [UInt8]?
    /// `family` entries (`$HEX…` fingerprints or nicknames).
    public let family: [String]
    /// `family-ids` entries (e.g. `ed25519:…`).
    public let familyIDs: [String]
    /// IPv4 exit policy summary (`accept 80,443`), if present.
    public let policy: String?
    /// IPv6 exit policy summary, if present.
    public let policy6: String?
    /// The exact text, for caching.
    public let text: [UInt8]

    /// Parses exactly one microdescriptor.
    public init(_ text: [UInt8]) throws {
        let document = try NetDocument(text)
        guard !document.items.isEmpty else { throw NetDocumentError.missingKeyword("onion-key") }
        try self.init(source: text, items: document.items[...], end: text.count)
    }

    /// The microdescriptor whose `items` were read from `source` and whose text ends at `end`.
    init(source: [UInt8], items: ArraySlice<NetDocument.Item>, end: Int) throws {
        guard let first = items.first, first.keyword == "onion-key" else {
            throw NetDocumentError.wrongDocument("line \(items.first?.line ?? 0): a microdescriptor starts with 'onion-key'")
        }
        text = Array(source[first.startOffset..<end])
        digest = Hash.sha256(text)
        ntorOnionKey = try items.exactlyOne("ntor-onion-key").base64Argument(0, length: 32)
        var ed: [UInt8]?
        for item in items where item.keyword == "id" {
            guard item.arguments.count >= 2 else {
                throw NetDocumentError.missingArgument(keyword: "id", index: item.arguments.count, line: item.line)
            }
            if item.arguments[0] == "ed25519" {
                guard ed == nil else { throw NetDocumentError.repeatedKeyword("id ed25519", line: item.line) }
                ed = try item.base64Argument(1, length: 32)
            }
        }
        ed25519Identity = ed
        family = try items.atMostOne("family")?.arguments ?? []
        familyIDs = try items.atMostOne("family-ids")?.arguments ?? []
        policy = try items.atMostOne("p")?.arguments.joined(separator: " ")
        policy6 = try items.atMostOne("p6")?.arguments.joined(separator: " ")
    }

    /// The digest in base64 without padding, as in consensus `m` lines.
    public var digestBase64: String { base64NoPad(digest) }

    /// Parses a concatenation of microdescriptors (a `/tor/micro/d/…` response or a cache file).
    ///
    /// Keeps only those whose digest is in `wanted` (pass `nil` to keep all). Malformed
    /// individual descriptors are skipped and reported; a broken object anywhere throws.
    /// The text is read one descriptor at a time (a cache holds ~8,000 of them).
    public static func parseAll(_ text: [UInt8], wanted: Set<[UInt8]>?) throws -> MicrodescriptorBatch {
        var tokenizer = try NetDocumentTokenizer(text)
        var batch = MicrodescriptorBatch()
        var entry = [NetDocument.Item]()
        func finishEntry(end: Int) {
            do {
                let md = try Microdescriptor(source: text, items: entry[...], end: end)
                if let wanted, !wanted.contains(md.digest) {
                    batch.unwanted.append(md.digest)
                } else {
                    batch.descriptors.append(md)
                }
            } catch {
                batch.rejected.append(MicrodescriptorBatch.Rejected(line: entry[0].line, reason: "\(error)"))
            }
            entry.removeAll(keepingCapacity: true)
        }
        var isFirst = true
        while let item = try tokenizer.next() {
            if isFirst, item.keyword != "onion-key" {
                throw NetDocumentError.wrongDocument("line \(item.line): a microdescriptor starts with 'onion-key'")
            }
            isFirst = false
            if item.keyword == "onion-key", !entry.isEmpty { finishEntry(end: item.startOffset) }
            entry.append(item)
        }
        if !entry.isEmpty { finishEntry(end: text.count) }
        return batch
    }
}

/// The result of ``Microdescriptor/parseAll(_:wanted:)``.
public struct MicrodescriptorBatch: Sendable, Equatable {
    /// A malformed microdescriptor that was skipped.
    public struct Rejected: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }
    /// Accepted (well-formed and wanted) microdescriptors, in input order.
    public var descriptors: [Microdescriptor] = []
    /// Digests of well-formed microdescriptors nobody asked for (discarded).
    public var unwanted: [[UInt8]] = []
    public var rejected: [Rejected] = []

    /// Accepted descriptors by digest.
    public var byDigest: [[UInt8]: Microdescriptor] {
        Dictionary(descriptors.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
