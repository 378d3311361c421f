import TorDirectory
import XCTest

/// A directory that serves an older consensus than the one held cannot roll the client back.
final class ConsensusRollbackTests: XCTestCase {
    func testAnOlderConsensusIsRefusedANewerOneInstalled() throws {
        let older = try Consensus(Fixture.bytes("mdconsensus1.txt"))          // 2020
        let newer = try Consensus(Fixture.bytes("live-consensus-microdesc"))  // 2026
        XCTAssertLessThan(older.validAfter, newer.validAfter)
        XCTAssertEqual(ConsensusRollback.decide(fetched: older, held: newer), .refuseOlder)
        XCTAssertEqual(ConsensusRollback.decide(fetched: newer, held: older), .install)
        XCTAssertEqual(ConsensusRollback.decide(fetched: newer, held: newer), .same)
        XCTAssertEqual(ConsensusRollback.decide(fetched: older, held: nil), .install)
    }
}
