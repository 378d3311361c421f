/// What a consensus asks of clients (`required-client-protocols`, `recommended-client-protocols`)
/// against what onionctl implements, in words a person can act on.
///
/// C tor exits when a required protocol is missing (for consensuses newer than its release) and
/// warns about recommended ones; onionctl does the same, but names each missing protocol and
/// what it is for.
public struct ProtocolPolicy: Sendable, Equatable {
    /// Required protocols the client lacks.
    public var missingRequired: ProtocolVersions
    /// Recommended protocols the client lacks (required ones not repeated).
    public var missingRecommended: ProtocolVersions

    public init(supported: ProtocolVersions = .onionctlSupported, required: ProtocolVersions, recommended: ProtocolVersions) {
        missingRequired = supported.missing(from: required)
        // What is missing from the recommended list, less what is already reported as required.
        missingRecommended = missingRequired.missing(from: supported.missing(from: recommended))
    }

    public init(supported: ProtocolVersions = .onionctlSupported, consensus: Consensus) {
        self.init(supported: supported, required: consensus.requiredClientProtocols,
                  recommended: consensus.recommendedClientProtocols)
    }

    /// The error sentence when required protocols are missing; nil when none are.
    public var requiredExplanation: String? {
        guard !missingRequired.isEmpty else { return nil }
        return "the Tor network now requires \(Self.describe(missingRequired)), which this onionctl does not "
            + "implement. Relays would refuse or misunderstand it, so it will not connect (C tor stops too). "
            + "Install a newer onionctl; on a private network, remove these from the authorities' RequiredClientProtocols."
    }

    /// The warning when recommended protocols are missing; nil when none are.
    public var recommendedWarning: String? {
        guard !missingRecommended.isEmpty else { return nil }
        return "the Tor network recommends \(Self.describe(missingRecommended)), which this onionctl does not implement "
            + "yet; it works today, but a future consensus may require them (then a newer onionctl is needed)"
    }

    /// `Name=versions (what it is)`, joined.
    public static func describe(_ versions: ProtocolVersions) -> String {
        versions.description.split(separator: " ").map { entry -> String in
            let name = String(entry.prefix { $0 != "=" })
            let meaning = meanings[name].map { " (\($0))" } ?? ""
            return "\(entry)\(meaning)"
        }.joined(separator: ", ")
    }

    /// What each subprotocol is about (tor-spec "Subprotocol versioning").
    static let meanings: [String: String] = [
        "Cons": "consensus formats",
        "Desc": "relay descriptor formats",
        "DirCache": "directory cache requests",
        "FlowCtrl": "flow control: authenticated SENDMEs, congestion control",
        "HSDir": "onion-service directory",
        "HSIntro": "onion-service introduction",
        "HSRend": "onion-service rendezvous",
        "Link": "link protocol between client and relay",
        "LinkAuth": "link authentication",
        "Microdesc": "microdescriptor formats",
        "Padding": "circuit padding",
        "Relay": "relay cells and circuit handshakes: ntor, ntor v3",
        "Conflux": "multi-path circuits",
    ]
}
