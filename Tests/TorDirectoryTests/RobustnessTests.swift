import XCTest
@testable import TorDirectory

/// Truncated and mutated documents must produce errors (or, rarely, still parse), never crashes.
final class RobustnessTests: XCTestCase {
    func exercise(_ text: [UInt8]) {
        _ = try? Consensus(text)
        _ = try? AuthorityCertificate.parseAll(text)
        _ = try? Microdescriptor.parseAll(text, wanted: nil)
        _ = try? NetworkConfig(parsing: String(decoding: text, as: UTF8.self))
    }

    func testTruncations() throws {
        for name in ["mdconsensus1.txt", "live-consensus-microdesc", "cert-5696.txt", "live-consensus-microdesc--desc--d2d4"] {
            let text = try Fixture.bytes(name)
            for length in stride(from: 0, to: text.count, by: 17) { exercise(Array(text.prefix(length))) }
        }
        XCTAssertThrowsError(try Consensus(Array(Fixture.bytes("mdconsensus1.txt").prefix(4000))))
    }

    func testMutations() throws {
        var generator = SplitMix64(seed: 0x0123_4567)
        let interesting: [UInt8] = Array(" \n=-+/:.[]0a-".utf8) + [0, 0xff]
        for name in ["mdconsensus1.txt", "live-consensus-microdesc", "cert-7C47.txt", "live-consensus-microdesc--desc--Akka"] {
            let text = try Fixture.bytes(name)
            for _ in 0..<80 {
                var mutated = text
                for _ in 0..<3 {
                    let index = Int(generator.next() % UInt64(mutated.count))
                    switch generator.next() % 3 {
                    case 0: mutated[index] = interesting[Int(generator.next() % UInt64(interesting.count))]
                    case 1: mutated.remove(at: index)
                    default: mutated.insert(interesting[Int(generator.next() % UInt64(interesting.count))], at: index)
                    }
                }
                exercise(mutated)
            }
        }
    }

    func testMissingRequiredLines() throws {
        let text = try Fixture.string("live-consensus-microdesc")
        for keyword in ["valid-after", "fresh-until", "valid-until", "voting-delay", "known-flags", "consensus-method", "directory-footer"] {
            let without = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(keyword + " ") && $0 != keyword }.joined(separator: "\n")
            XCTAssertThrowsError(try Consensus(string: without), keyword)
        }
        let badM = text.replacingOccurrences(of: "m vtKpzB+Vw6LlETW6txvAH+1G6gJIl6x1D/N3NZdPK24", with: "m vtKpzB+Vw6LlETW6txvAH+1G6gJIl6x1D/N3NZdPK2")
        XCTAssertThrowsError(try Consensus(string: badM)) { error in
            XCTAssertEqual(error as? NetDocumentError,
                           .badArgument(keyword: "m", value: "vtKpzB+Vw6LlETW6txvAH+1G6gJIl6x1D/N3NZdPK2", line: 47))
        }
        XCTAssertThrowsError(try Consensus(string: text.replacingOccurrences(of: "network-status-version 3 microdesc", with: "network-status-version 3")))
    }
}

/// Deterministic PRNG for reproducible mutation tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
