import OnionService
import TorCircuits
import XCTest

/// When the connector replaces a rendezvous circuit whose service never acknowledges data.
final class RendezvousRenewalTests: XCTestCase {
    let renewal = RendezvousRenewal(renewBelow: 250, waitBelow: 50)

    func testAServiceThatAcknowledgesIsNeverRenewedWhateverItsWindow() {
        for remaining in [0, 10, 49, 50, 249, 900] {
            XCTAssertEqual(renewal.decision(for: PackageWindowStatus(remaining: remaining, sendmesReceived: 1)), .keep)
        }
    }

    func testASilentServiceIsRenewedInTheBackgroundThenWaitedFor() {
        func decision(_ remaining: Int) -> RendezvousRenewal.Decision {
            renewal.decision(for: PackageWindowStatus(remaining: remaining, sendmesReceived: 0))
        }
        XCTAssertEqual(decision(1000), .keep)
        XCTAssertEqual(decision(250), .keep)
        XCTAssertEqual(decision(249), .renewInBackground)
        XCTAssertEqual(decision(50), .renewInBackground)
        XCTAssertEqual(decision(49), .renewAndWait)
        XCTAssertEqual(decision(0), .renewAndWait)
    }

    func testACircuitWithoutHopsIsKept() {
        XCTAssertEqual(renewal.decision(for: nil), .keep)
    }
}
