import Foundation
import TorCircuits
import TorDirectory

/// The recorded public consensus excerpt (five routers) as a ``NetDirectory``, optionally edited:
/// `consensus` rewrites the consensus text, `micro` a relay's microdescriptor (by nickname); the
/// `m` lines follow the edited microdescriptors so every relay stays joined.
func liveDirectory(enforceDistinctSubnets: Bool = true,
                   consensus editConsensus: (String) -> String = { $0 },
                   micro editMicro: (String, String) -> String = { _, text in text }) throws -> NetDirectory {
    func load(_ name: String) throws -> String {
        let url = try XCTUnwrapURL(Bundle.module.url(forResource: "Fixtures/live/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }
    var consensusText = try load("live-consensus-microdesc")
    var micro = [[UInt8]: Microdescriptor]()
    for name in ["Akka", "Ukko", "d2d4", "lisdex", "moria1"] {
        let original = try load("live-consensus-microdesc--desc--\(name)")
        let edited = editMicro(name, original)
        let before = try Microdescriptor(Array(original.utf8)), after = try Microdescriptor(Array(edited.utf8))
        consensusText = consensusText.replacingOccurrences(of: "m \(before.digestBase64)", with: "m \(after.digestBase64)")
        micro[after.digest] = after
    }
    let consensus = try Consensus(string: editConsensus(consensusText))
    return NetDirectory(consensus: consensus, microdescriptors: micro, isTestingNetwork: false,
                        enforceDistinctSubnets: enforceDistinctSubnets)
}

extension NetDirectory {
    func named(_ nickname: String) -> Relay { relays.first { $0.nickname == nickname }! }
}

/// Removes the lines starting with `prefix` from a document.
func dropping(_ prefix: String, from text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(prefix) }.joined(separator: "\n")
}
