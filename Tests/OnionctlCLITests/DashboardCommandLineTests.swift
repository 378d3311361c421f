import Devices
import Foundation
import OnionctlUI
import TorClient
import XCTest
@testable import OnionctlCLI

/// Issue 20 item 10: the `:` prompt advertises `list`, `status`, `get NAME`…; `:list` and `:status`
/// answered "unknown command", and `:get` on an offline device said only "not read yet".
final class DashboardCommandLineTests: XCTestCase {
    let onion = "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd.onion"

    private func backend() throws -> LiveDashboardBackend {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dash-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let network = folder.appendingPathComponent("network")
        try """
            DirAuthority auth1 orport=9 no-v2 v3ident=D7A5001BAFA20C7D8DB1BBBB142F878BB70ECABF 127.0.0.1:9 B53E36D0C3D4E57D25732DCC5464B66727219B61
            TestingTorNetwork 1

            """.write(to: network, atomically: true, encoding: .utf8)
        return LiveDashboardBackend(store: AddressBookStore(directory: folder.appendingPathComponent("book")),
                                    configuration: try TorClientConfiguration.load(networkFile: network.path))
    }

    func testEveryAdvertisedVerbIsUnderstood() async throws {
        let live = try backend()
        for line in ["list", "status", "help"] {
            do { _ = try await live.runCommand(line) } catch { XCTFail("\(line): \(error)") }
        }
        do {
            _ = try await live.runCommand("stauts")
            XCTFail("an unknown verb must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("did you mean status?"), "\(error)")
        }
    }

    func testTheAnswersSayWhatIsKnown() throws {
        let offline = DeviceSnapshot(name: "porch", kind: .thermostat, onion: onion,
                                     connection: DeviceConnection(state: .failed(.introduction)),
                                     problem: DeviceProblem(message: "porch: introduction failed: the service is offline",
                                                            advice: "", outcome: "offline"))
        let online = DeviceSnapshot(name: "hall", kind: .thermostat, onion: onion, connection: DeviceConnection(state: .connected),
                                    thermostat: ThermostatReading(temperature: 20.5, setpoint: 21, mode: .heat))
        let snapshot = DashboardSnapshot(devices: [online, offline])
        XCTAssertEqual(DashboardCommandText.list(snapshot), "2 devices: hall (thermostat), porch (thermostat)")
        XCTAssertEqual(try DashboardCommandText.status(snapshot, names: []), "hall online · porch offline")
        XCTAssertEqual(DashboardCommandText.get(offline), "porch: offline: introduction failed: the service is offline")
        XCTAssertEqual(DashboardCommandText.get(online), "hall: 20.5 °C, setpoint 21.0 °C, heat, idle")
        XCTAssertThrowsError(try DashboardCommandText.status(snapshot, names: ["nope"]))
    }
}
