import Foundation
import TestSupport
import XCTest

/// `onionctl tor bootstrap` against the private network: it names the protocol versions the
/// client implements (issue 14) and how the consensus's circuit was built, in text and `--json`.
final class TorBootstrapCLIEndToEndTests: XCTestCase {
    /// What `ProtocolVersions.onionctlSupported` prints: congestion control (FlowCtrl=2) and ntor v3 (Relay=4) included.
    let supported = "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4 HSRend=2 Link=4-5 Microdesc=2 Relay=2,4"

    func testBootstrapListsTheSupportedProtocolsInTextAndJSON() throws {
        let network = try TestNetwork.shared()
        let sandbox = Sandbox("tor-bootstrap-cli")
        let text = try sandbox.run(["tor", "bootstrap", "--network", network.networkFile.path], timeout: 240)
        XCTAssertEqual(text.code, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("protocols     \(supported) (supported by onionctl)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("circuit       CREATE_FAST, fixed windows"), "a first bootstrap knows no onion key: \(text.stdout)")

        let json = try sandbox.run(["tor", "bootstrap", "--json", "--network", network.networkFile.path], timeout: 240)
        XCTAssertEqual(json.code, 0, json.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(report["supportedProtocols"] as? String, supported)
    }
}
