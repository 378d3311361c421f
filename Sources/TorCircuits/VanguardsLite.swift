import FoundationEssentials
import TorDirectory
import TorProto

/// Vanguards-lite (proposal 333, on by default in C tor since 0.4.7 and in arti): a small pinned
/// set of layer-2 relays, each kept for a random lifetime, one of which is the second hop of every
/// onion-service circuit. A hostile service, introduction point or HSDir that makes the client
/// build circuits to it then sees one of these few relays as the previous-but-one hop, never a
/// fresh random middle each time, which is what let such an adversary find the guard quickly.
///
/// As C tor's `maintain_layer2_guards`: `guard-hs-l2-number` relays (default 4, 1…19), each
/// Fast and Stable, drawn weighted like middle hops, with a lifetime drawn uniformly between
/// `guard-hs-l2-lifetime-min` and `-max` (default 1 and 12 days); one is dropped when it expires
/// or leaves the consensus or loses Fast or Stable, and the set is topped up. Two layer-2 relays
/// may share a family (C tor allows it). Unlike C tor, which keeps the set in memory only, the
/// set is persisted (`vanguards.json` beside the guard state), so a restart keeps it as arti does.
public actor VanguardsLite {
    /// One layer-2 vanguard as stored on disk.
    public struct Entry: Codable, Sendable, Equatable {
        /// Lower-case hex of the relay's RSA identity.
        public var rsaIdentity: String
        public var nickname: String
        public var addedAt: Date
        public var expiresAt: Date
    }

    private struct File: Codable {
        var version: Int
        var layer2: [Entry]
    }

    /// The state file format this code writes and reads.
    public static let fileVersion = 1

    private let fileURL: URL?
    public private(set) var entries: [Entry]
    /// Why the stored set could not be used (it was rebuilt), for status views; `nil` when fine.
    public private(set) var loadProblem: String?

    /// - Parameter fileURL: where to persist the set (`nil` keeps it in memory).
    public init(fileURL: URL?) {
        self.fileURL = fileURL
        entries = []
        guard let fileURL, let data = try? Data(contentsOf: fileURL) else { return }
        do {
            let file = try JSONDecoder.iso.decode(File.self, from: data)
            guard file.version == Self.fileVersion else {
                loadProblem = "\(fileURL.path): vanguard state version \(file.version) is not \(Self.fileVersion); a new set was chosen"
                return
            }
            entries = file.layer2
        } catch {
            loadProblem = "\(fileURL.path) was unreadable (\(error)); a new vanguard set was chosen"
        }
    }

    /// Consensus parameters of the set, with C tor's defaults and bounds.
    public struct Parameters: Sendable, Equatable {
        public var count: Int
        public var lifetime: ClosedRange<TimeInterval>

        public init(_ params: ConsensusParams) {
            count = Int(params.value("guard-hs-l2-number", default: 4, range: 1...19))
            let low = TimeInterval(params.value("guard-hs-l2-lifetime-min", default: 86_400, range: 1...Int32.max))
            let high = TimeInterval(params.value("guard-hs-l2-lifetime-max", default: 1_036_800, range: 1...Int32.max))
            // C tor: min >= max is a bug in the consensus; it then uses min.
            lifetime = low < high ? low...high : low...low
        }
    }

    /// The current layer-2 relays, after expiring and topping up the set against `directory`.
    public func layer2(in directory: NetDirectory, now: Date = Date()) -> [Relay] {
        let parameters = Parameters(directory.consensus.params)
        let before = entries
        var byID = [String: Relay]()
        for relay in directory.relays { byID[hexString(relay.rsaIdentity)] = relay }
        entries.removeAll { entry in
            guard entry.expiresAt > now, let relay = byID[entry.rsaIdentity] else { return true }
            return !Self.isSuitable(relay)
        }
        if entries.count > parameters.count { entries.removeLast(entries.count - parameters.count) }
        let selector = PathSelector(directory: directory)
        while entries.count < parameters.count {
            let chosen = Set(entries.map(\.rsaIdentity))
            guard let relay = try? selector.pick(.middle, requiring: [.fast, .stable],
                                                 where: { !chosen.contains(hexString($0.rsaIdentity)) }) else { break }
            // Whole seconds, as the state file stores them.
            let added = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            let lifetime = TimeInterval.random(in: parameters.lifetime).rounded(.down)
            entries.append(Entry(rsaIdentity: hexString(relay.rsaIdentity), nickname: relay.nickname, addedAt: added,
                                 expiresAt: added.addingTimeInterval(lifetime)))
        }
        if entries != before { save() }
        return entries.compactMap { byID[$0.rsaIdentity] }
    }

    /// Forgets the set (C tor does so on NEWNYM); the next ``layer2(in:now:)`` draws a new one.
    public func reset() {
        entries = []
        save()
    }

    /// C tor keeps a layer-2 relay while it is listed Fast and Stable.
    static func isSuitable(_ relay: Relay) -> Bool { relay.flags.isSuperset(of: [.fast, .stable]) }

    private func save() {
        guard let fileURL else { return }
        guard let data = try? JSONEncoder.iso.encode(File(version: Self.fileVersion, layer2: entries)) else { return }
        try? FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: fileURL)
    }
}
