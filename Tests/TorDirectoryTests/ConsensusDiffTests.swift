import TorCrypto
@testable import TorDirectory
import XCTest

/// Consensus diffs (prop 140): a real diff C tor made, hand-made ones whose result is known, and
/// every way a diff can be wrong.
final class ConsensusDiffTests: XCTestCase {
    private func base() throws -> Consensus { try Consensus(Fixture.bytes("testnet-diff-base")) }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    /// A diff from `base` with `commands`, naming `result`'s digest.
    private func diff(from base: Consensus, to result: [UInt8], _ commands: [String]) -> [UInt8] {
        let header = ["network-status-diff-version 1",
                      "hash \(hex(ConsensusDiff.digestAsSigned(base))) \(hex(Hash.sha3_256(result)))"]
        return Array((header + commands).map { $0 + "\n" }.joined().utf8)
    }

    private func lines(_ consensus: Consensus) -> [String] {
        String(decoding: consensus.text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    private func text(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

    func testADiffMadeByCTorGivesTheConsensusItNames() throws {
        let base = try base()
        let diff = try Fixture.bytes("testnet-diff-to-next")
        XCTAssertTrue(ConsensusDiff.looksLikeDiff(diff))
        XCTAssertFalse(ConsensusDiff.looksLikeDiff(base.text))
        let result = try ConsensusDiff.apply(diff, to: base)
        let next = try Consensus(result)
        XCTAssertGreaterThan(next.validAfter, base.validAfter)
        XCTAssertEqual(next.routers.count, base.routers.count)
        XCTAssertLessThan(diff.count, base.text.count / 2, "the diff is smaller than the document")
        XCTAssertEqual(ConsensusDiff.requestValue(for: base), "1822E5CB5BB749CF8C887954C47D54E2C684151C2D9BBBFDAF7A6CB49974DF3C")
    }

    /// The client keeps the consensus without its text and applies a diff to the text read back
    /// from the cache: the digest of that text must be found without parsing it, and only the
    /// cached text of the held consensus is handed back.
    func testADiffAppliesToTheCachedTextOfAConsensusHeldWithoutIt() throws {
        let base = try base()
        XCTAssertEqual(ConsensusDiff.digestAsSigned(text: base.text), base.signedDigestSHA3)
        XCTAssertEqual(upperHex(base.signedDigestSHA3), "1822E5CB5BB749CF8C887954C47D54E2C684151C2D9BBBFDAF7A6CB49974DF3C")
        let held = base.droppingText()
        XCTAssertTrue(held.text.isEmpty)
        XCTAssertEqual(held.routers.count, base.routers.count)
        XCTAssertEqual(ConsensusDiff.requestValue(for: held), ConsensusDiff.requestValue(for: base))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("diff-text-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = DirectoryCache(directory: directory)
        XCTAssertNil(cache.consensusText(signedDigest: held.signedDigestSHA3), "nothing cached yet")
        try cache.storeConsensus(base)
        let cached = try XCTUnwrap(cache.consensusText(signedDigest: held.signedDigestSHA3))
        XCTAssertNil(cache.consensusText(signedDigest: Hash.sha3_256(Array("another".utf8))), "another consensus's digest")
        let result = try ConsensusDiff.apply(Fixture.bytes("testnet-diff-to-next"), toText: cached, heldDigest: held.signedDigestSHA3)
        XCTAssertEqual(result, try ConsensusDiff.apply(Fixture.bytes("testnet-diff-to-next"), to: base))
    }

    func testAppendChangeAndDeleteDoWhatEdDoes() throws {
        let base = try base()
        var expected = lines(base)
        let count = expected.count
        // Commands in reverse line order, as the format requires.
        expected.removeSubrange((count - 2)...)            // "\(count - 1),$d"
        expected.insert(contentsOf: ["x-one", "x-two"], at: 12)  // "12a"
        expected[5...6] = ["changed"]                        // "6,7c"
        expected.remove(at: 1)                               // "2d"
        expected.insert("first", at: 0)                      // "0a"
        let result = text(expected)
        let commands = ["\(count - 1),$d", "12a", "x-one", "x-two", ".", "6,7c", "changed", ".", "2d", "0a", "first", "."]
        XCTAssertEqual(try ConsensusDiff.apply(diff(from: base, to: result, commands), to: base), result)
    }

    func testADiffFromAnotherConsensusIsRefused() throws {
        let other = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        XCTAssertThrowsError(try ConsensusDiff.apply(Fixture.bytes("testnet-diff-to-next"), to: other)) {
            XCTAssertEqual($0 as? ConsensusDiffError, .baseMismatch)
        }
    }

    func testATamperedDiffIsCaughtByTheResultDigest() throws {
        let diff = String(decoding: try Fixture.bytes("testnet-diff-to-next"), as: UTF8.self)
        // Change one added line (a signature line) without touching the header.
        var lines = diff.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let added = try XCTUnwrap(lines.indices.dropFirst(2).first { lines[$0].hasPrefix("directory-signature ") })
        lines[added] += "X"
        XCTAssertThrowsError(try ConsensusDiff.apply(Array(lines.joined(separator: "\n").utf8), to: try base())) {
            XCTAssertEqual($0 as? ConsensusDiffError, .resultMismatch)
        }
    }

    func testMalformedDiffsSayWhatIsWrong() throws {
        let base = try base()
        let count = lines(base).count
        let cases: [([String], String)] = [
            (["3d", "5d"], "reverse line order"),
            (["4,$c", "x", "."], "'$' is allowed only with d"),
            (["4,5a", "x", "."], "'a' takes one line number"),
            (["5a", "x"], "do not end with '.'"),
            (["5a", "."], "inserts no lines"),
            (["5x"], "unknown ed command"),
            (["0d"], "line 0 cannot be changed"),
            (["7,3d"], "empty or reversed range"),
            (["d"], "not an ed command"),
            (["\(count + 5)d"], "reverse line order"),
        ]
        for (commands, expected) in cases {
            XCTAssertThrowsError(try ConsensusDiff.apply(diff(from: base, to: [], commands), to: base), "\(commands)") {
                XCTAssertTrue("\($0)".contains(expected), "\(commands): \($0)")
            }
        }
        XCTAssertThrowsError(try ConsensusDiff.apply(Array("network-status-diff-version 1\nhash 00 11\n".utf8), to: base)) {
            guard case .badHeader? = $0 as? ConsensusDiffError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ConsensusDiff.apply(Array("network-status-diff-version 1\nhash".utf8), to: base)) {
            XCTAssertEqual($0 as? ConsensusDiffError, .unterminated("the diff"))
        }
        XCTAssertThrowsError(try ConsensusDiff.apply(base.text, to: base)) { XCTAssertEqual($0 as? ConsensusDiffError, .notADiff) }
    }
}
