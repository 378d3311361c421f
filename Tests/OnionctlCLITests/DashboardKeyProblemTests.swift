import Devices
import OnionctlUI
import OnionService
import XCTest
@testable import OnionctlCLI

/// The dashboard shows a refused key as the device's problem, with the exact chmod as advice.
final class DashboardKeyProblemTests: XCTestCase {
    func testAnUnprotectedKeyIsShownWithItsFix() {
        let refused = UnprotectedKeyError(path: "/home/me/.config/onionctl/keys/door.auth_private", mode: 0o644, isFolder: false)
        let problem = LiveDashboardBackend.problem(for: AddressBookError.unprotectedKey(refused))
        XCTAssertTrue(problem.message.contains("key file /home/me/.config/onionctl/keys/door.auth_private is accessible by group or others (mode 0644)"),
                      problem.message)
        XCTAssertTrue(problem.advice.contains("chmod 600 /home/me/.config/onionctl/keys/door.auth_private"), problem.advice)
        let folder = LiveDashboardBackend.problem(for: AddressBookError.unprotectedKey(
            UnprotectedKeyError(path: "/k", mode: 0o755, isFolder: true)))
        XCTAssertTrue(folder.advice.contains("chmod 700 /k"), folder.advice)
    }
}

/// Issue 20 item 5: the dashboard names a device that never answered as `onionctl status` does.
final class DashboardOutcomeWordTests: XCTestCase {
    func testADeviceThatNeverAnsweredIsOfflineWithTheCLIsWord() {
        let onion = "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd"
        for failure in [OnionServiceError.rendezvousFailed(onion: onion, detail: "timed out waiting for RENDEZVOUS2"),
                        .introductionFailed(onion: onion, detail: "x"), .serviceOffline(onion: onion),
                        .descriptorNotFound(onion: onion, triedDirectories: 6)] {
            let problem = LiveDashboardBackend.problem(for: DeviceError.unreachable(device: "porch", failure))
            XCTAssertEqual(problem.outcome, "offline", "\(failure)")
            XCTAssertTrue(problem.advice.contains("offline"), problem.advice)
            XCTAssertFalse(problem.advice.contains("slow"), problem.advice)
        }
        XCTAssertEqual(LiveDashboardBackend.problem(for: DeviceError.unreachable(device: "p", .clientAuthorizationRequired(onion: onion))).outcome,
                       "unauthorized")
        XCTAssertEqual(LiveDashboardBackend.problem(for: DeviceError.unexpectedAnswer(device: "p", detail: "x")).outcome, "error")
    }
}

/// Issue 20 item 12: one name for a link type in the CLI and the dashboard; plain wrong-kind wording.
final class SharedWordingTests: XCTestCase {
    func testPinTypesAndWrongKindRead() {
        for type in 0...3 {
            XCTAssertEqual(OnionctlUI.PinLink(name: "x", index: 0, type: type).typeName, Devices.PinLink.typeName(type))
        }
        XCTAssertEqual(Devices.PinLink.typeName(0), "simple")
        let wrong = DeviceError.wrongKind(device: "lamp", kind: .http, expected: .pins)
        XCTAssertTrue("\(wrong)".contains("this command works on pins devices only"), "\(wrong)")
        XCTAssertFalse("\(wrong)".contains("needs a pins"), "\(wrong)")
    }
}
