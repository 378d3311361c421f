import FoundationEssentials

/// The persistent part of the guard state (guard-spec §4.1, §4.3), as stored in `guards.json`.
public struct GuardState: Codable, Sendable, Equatable {
    /// One guard of the sample, in sample order.
    public struct Sampled: Codable, Sendable, Equatable {
        /// Lower-case hex of the relay's RSA identity.
        public var rsaIdentity: String
        public var nickname: String
        /// Randomized into the past by up to a tenth of the guard lifetime (guard-spec A.2).
        public var addedOn: Date
        /// Whether the latest consensus listed it as a usable guard.
        public var isListed: Bool
        /// Since when it has been unlisted (randomized as the spec says), when it is.
        public var firstUnlistedAt: Date?
        /// When it joined the confirmed list (randomized), if it has.
        public var confirmedOn: Date?

        public init(rsaIdentity: String, nickname: String, addedOn: Date, isListed: Bool,
                    firstUnlistedAt: Date? = nil, confirmedOn: Date? = nil) {
            self.rsaIdentity = rsaIdentity
            self.nickname = nickname
            self.addedOn = addedOn
            self.isListed = isListed
            self.firstUnlistedAt = firstUnlistedAt
            self.confirmedOn = confirmedOn
        }
    }

    /// The format written; version 1 (three guards, no confirmation) is read and migrated.
    public static let currentVersion = 2

    public var version: Int = GuardState.currentVersion
    public var sampled: [Sampled] = []
    /// Confirmed guards (hex identities), highest priority first; a subset of `sampled`.
    public var confirmed: [String] = []

    public init() {}

    /// Reads `data`, migrating version 1; a problem is described for the user and the state is
    /// rebuilt from nothing rather than trusted in part.
    public static func load(_ data: Data) -> (state: GuardState, problem: String?) {
        struct Version: Decodable { var version: Int }
        guard let version = try? JSONDecoder.iso.decode(Version.self, from: data).version else {
            return (GuardState(), "the guard state is not readable JSON; new guards were sampled")
        }
        switch version {
        case 1:
            struct V1: Decodable {
                struct Entry: Decodable { var rsaIdentity: String; var nickname: String; var addedAt: Date }
                var guards: [Entry]
            }
            guard let old = try? JSONDecoder.iso.decode(V1.self, from: data) else {
                return (GuardState(), "the version 1 guard state is damaged; new guards were sampled")
            }
            var state = GuardState()
            state.sampled = old.guards.map {
                Sampled(rsaIdentity: $0.rsaIdentity.lowercased(), nickname: $0.nickname, addedOn: $0.addedAt, isListed: true)
            }
            return (state, nil)
        case currentVersion:
            do {
                let state = try JSONDecoder.iso.decode(GuardState.self, from: data)
                let ids = Set(state.sampled.map(\.rsaIdentity))
                guard ids.count == state.sampled.count, state.confirmed.allSatisfy(ids.contains),
                      Set(state.confirmed).count == state.confirmed.count else {
                    return (GuardState(), "the guard state lists a guard twice or confirms one it never sampled; new guards were sampled")
                }
                return (state, nil)
            } catch {
                return (GuardState(), "the guard state is damaged (\(error)); new guards were sampled")
            }
        default:
            return (GuardState(), "the guard state has version \(version), newer than this onionctl reads (\(currentVersion)); new guards were sampled")
        }
    }

    func encoded() throws -> Data { try JSONEncoder.iso.encode(self) }
}
