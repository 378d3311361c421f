@testable import TorDirectory
import XCTest

/// C tor's "enough directory info" rule: guard × middle × exit bandwidth with microdescriptors.
final class PathCoverageTests: XCTestCase {
    func testCoverageIsTheProductOfTheBandwidthSharesThatHaveMicrodescriptors() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        let running = consensus.routers.filter { $0.flags.contains(.running) && $0.flags.contains(.valid) }
        XCTAssertEqual(PathCoverage(consensus: consensus) { _ in true }.pathFraction, 1)
        XCTAssertEqual(PathCoverage(consensus: consensus) { _ in false }.pathFraction, 0)

        // Withhold the microdescriptors of every guard: no path can start.
        let guards = Set(running.filter { $0.flags.contains(.guard) }.map(\.microdescriptorDigest))
        XCTAssertFalse(guards.isEmpty)
        let noGuards = PathCoverage(consensus: consensus) { !guards.contains($0) }
        XCTAssertEqual(noGuards.guardFraction, 0)
        XCTAssertEqual(noGuards.pathFraction, 0)

        // Withhold one relay's: each share drops by its weight where it counts.
        let one = try XCTUnwrap(running.first { $0.flags.contains(.exit) && $0.flags.contains(.guard) } ?? running.first)
        let coverage = PathCoverage(consensus: consensus) { $0 != one.microdescriptorDigest }
        let total = running.reduce(0.0) { $0 + Double(max($1.bandwidth, 1)) }
        XCTAssertEqual(coverage.middleFraction, 1 - Double(max(one.bandwidth, 1)) / total, accuracy: 1e-9)
        XCTAssertEqual(coverage.pathFraction, coverage.guardFraction * coverage.middleFraction * coverage.exitFraction, accuracy: 1e-12)
        XCTAssertLessThan(coverage.pathFraction, 1)
        XCTAssertTrue(coverage.summary.contains("of path bandwidth"), coverage.summary)
    }

    func testTheThresholdIsTheConsensusParameterWithCTorsDefault() throws {
        let consensus = try Consensus(Fixture.bytes("mdconsensus1.txt"))
        let expected = consensus.params.value("min_paths_for_circs_pct", default: 60, range: 25...95)
        XCTAssertEqual(PathCoverage.threshold(consensus), Double(expected) / 100)
    }
}
