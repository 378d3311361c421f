import XCTest
@testable import OnionctlUI

/// Issue 20 item 5: a device that does not answer. The timer moved only on progress events (frozen
/// at "rendezvous 0.3s" for a minute), the list said "failed at rendezvou" where the CLI says
/// "offline", and the reason was cut off in the detail view.
final class StoppedDeviceTests: XCTestCase {
    let onion = "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd"

    private func state(_ device: DeviceSnapshot, now: Date, screen: DashboardScreen = .devices) -> DashboardState {
        var state = DashboardState(snapshot: DashboardSnapshot(devices: [device]), now: now)
        state.screen = screen
        return state
    }

    func testTheConnectingTimerRunsWithTheClock() {
        let start = Fixtures.now
        let device = DeviceSnapshot(name: "porch", kind: .thermostat, onion: onion,
                                    connection: DeviceConnection(state: .connecting(.rendezvous), elapsed: 0.3, startedAt: start))
        let early = Fixtures.renderer().render(state(device, now: start.addingTimeInterval(0.3)), width: 80, height: 24).text
        XCTAssertTrue(early.contains("rendezvous 0.3s"), early)
        let later = Fixtures.renderer().render(state(device, now: start.addingTimeInterval(12.5)), width: 80, height: 24).text
        XCTAssertTrue(later.contains("rendezvous 12.5s"), "the timer must move without new progress events:\n\(later)")
    }

    func testAFailureUsesTheCLIsWordAndTheWholeReasonIsWrapped() {
        let message = "porch: rendezvous with \(onion).onion failed: timed out waiting for RENDEZVOUS2 after 60 s; the service may be offline or overloaded"
        let problem = DeviceProblem(message: message, advice: "It never answered: it seems offline. Press r to retry now.",
                                    outcome: "offline")
        let device = DeviceSnapshot(name: "porch", kind: .thermostat, onion: onion,
                                    connection: DeviceConnection(state: .failed(.rendezvous), elapsed: 60), problem: problem)
        let list = Fixtures.renderer().render(state(device, now: Fixtures.now), width: 80, height: 24).text
        XCTAssertTrue(list.contains("✗ offline"), list)
        XCTAssertFalse(list.contains("failed at rendezvou"), list)
        let detail = Fixtures.renderer().render(state(device, now: Fixtures.now, screen: .detail("porch")), width: 80, height: 24).text
        let joined = detail.split(separator: "\n").map { $0.replacingOccurrences(of: "│", with: "").trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        XCTAssertTrue(joined.contains("the service may be offline or overloaded"), "the reason is cut off:\n\(detail)")
        XCTAssertTrue(joined.contains("Press r to retry now."), detail)
    }
}
