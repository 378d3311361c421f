import Devices
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
