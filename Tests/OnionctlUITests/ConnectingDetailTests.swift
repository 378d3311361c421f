import XCTest
@testable import OnionctlUI

/// While a device is connecting, its detail view shows what the client is doing in the current
/// phase beside the phases (e.g. a proof of work being solved, issue 16); once connected, only the
/// phases and the time.
final class ConnectingDetailTests: XCTestCase {
    private func detailScreen(_ connection: DeviceConnection) -> String {
        let state = Fixtures.state { s in
            let index = s.snapshot.devices.firstIndex { $0.name == "greenhouse" }!
            s.snapshot.devices[index].connection = connection
            s.selectedDevice = "greenhouse"
            s.screen = .detail("greenhouse")
        }
        return Fixtures.renderer().render(state, width: 132, height: 43).text
    }

    func testProofOfWorkSolvingIsShownBesideThePhases() {
        let screen = detailScreen(DeviceConnection(state: .connecting(.introduction), elapsed: 12.5,
                                                   detail: "solving a proof of work, effort 8…"))
        let phases = screen.split(separator: "\n").first { $0.contains("introduction ›") }
        XCTAssertNotNil(phases, screen)
        XCTAssertTrue(phases?.contains("solving a proof of work, effort 8…") ?? false, screen)
    }

    func testConnectedShowsNoDetail() {
        let screen = detailScreen(DeviceConnection(state: .connected, elapsed: 3, detail: "rendezvous via Relay1"))
        let phases = screen.split(separator: "\n").first { $0.contains("introduction ›") }
        XCTAssertNotNil(phases, screen)
        XCTAssertFalse(phases?.contains("rendezvous via Relay1") ?? true, screen)
    }
}
