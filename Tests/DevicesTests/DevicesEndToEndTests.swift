import Devices
import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

/// Issue 5 end to end: the real onionctl binary against the private network's simulated devices;
/// effects are checked on the devices themselves (plain HTTP on loopback), not through onionctl.
final class DevicesEndToEndTests: XCTestCase {
    var network: TestNetwork!
    var sandbox: Sandbox!

    override func setUpWithError() throws {
        network = try TestNetwork.shared()
        sandbox = Sandbox("devices-e2e")
        for name in ["thermostat", "pins", "porch"] {
            let device = try network.device(name)
            let added = try sandbox.run(["add", name, device.onion, "--kind", device.kind])
            XCTAssertEqual(added.code, 0, added.stderr)
        }
        let imported = try sandbox.run(["import", network.authDirectory.path])
        XCTAssertEqual(imported.code, 0, imported.stderr)
    }

    var secrets: [String] {
        network.devices.compactMap { $0.auth_private_file }.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .compactMap { $0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() } }
    }

    func onionctl(_ arguments: [String]) throws -> RunResult {
        let result = try sandbox.run(arguments + ["--network", network.networkFile.path])
        for secret in secrets {
            XCTAssertFalse(result.stdout.uppercased().contains(secret), "key material in stdout of \(arguments)")
            XCTAssertFalse(result.stderr.uppercased().contains(secret), "key material in stderr of \(arguments)")
        }
        return result
    }

    /// Plain HTTP to the simulator's local port, bypassing Tor and onionctl.
    func deviceGET(_ name: String, _ path: String) throws -> Any {
        let device = try network.device(name)
        let url = URL(string: "http://127.0.0.1:\(device.local_port)\(path)")!
        let data = try syncGET(url)
        return try JSONSerialization.jsonObject(with: data)
    }

    func testSetSetpointChangesTheThermostat() throws {
        let before = try XCTUnwrap(try deviceGET("thermostat", "/api/v1/thermostat") as? [String: Any])
        let target = (before["setpoint"] as? Double) == 22.5 ? 23.0 : 22.5
        let result = try onionctl(["set", "thermostat", "setpoint", ThermostatReading.format(target), "--json"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let answer = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(answer["setpoint"] as? Double, target)
        let after = try XCTUnwrap(try deviceGET("thermostat", "/api/v1/thermostat") as? [String: Any])
        XCTAssertEqual(after["setpoint"] as? Double, target, "checked on the device")

        // Refused locally, nothing sent: not a multiple of the device's step, out of range, unknown mode.
        for bad in [["setpoint", "21.25"], ["setpoint", "31"], ["mode", "warm"]] {
            let refused = try onionctl(["set", "thermostat"] + bad + ["--json"])
            XCTAssertEqual(refused.code, 2, "\(bad): \(refused.stderr)")
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)), refused.stdout)
        }
        let unchanged = try XCTUnwrap(try deviceGET("thermostat", "/api/v1/thermostat") as? [String: Any])
        XCTAssertEqual(unchanged["setpoint"] as? Double, target)
        XCTAssertEqual(try onionctl(["set", "pins", "setpoint", "20"]).code, 2, "wrong kind")
        XCTAssertEqual(try onionctl(["set", "nosuch", "setpoint", "20"]).code, 4)
    }

    func testTogglePinFlipsTheGPIOOnTheDevice() throws {
        func state() throws -> Int? {
            let links = try XCTUnwrap(try deviceGET("pins", "/links") as? [[String: Any]])
            let link = links.first { ($0["index"] as? Int) == 0 }
            return (link?["pin"] as? [String: Any])?["state"] as? Int
        }
        let before = try XCTUnwrap(try state())
        let result = try onionctl(["toggle", "pins", "0", "--json"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(try state(), 1 - before, "checked on the device")
        let listed = try onionctl(["pins", "pins", "--json"])
        XCTAssertEqual(listed.code, 0, listed.stderr)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(try onionctl(["toggle", "pins", "9"]).code, 2, "no such link")
    }

    func testStatusReportsAnOfflineDeviceAndTheOthersCorrectly() throws {
        let ghost = try randomOnionAddress()
        XCTAssertEqual(try sandbox.run(["add", "ghost", ghost.description, "--kind", "thermostat"]).code, 0)
        let result = try onionctl(["status", "--json"])
        XCTAssertEqual(result.code, 6, result.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as? String ?? "", $0) })
        XCTAssertEqual(byName["thermostat"]?["state"] as? String, "online", "\(byName["thermostat"] ?? [:])")
        XCTAssertEqual(byName["pins"]?["state"] as? String, "online", "\(byName["pins"] ?? [:])")
        XCTAssertEqual(byName["porch"]?["state"] as? String, "online", "\(byName["porch"] ?? [:])")
        XCTAssertEqual(byName["ghost"]?["state"] as? String, "offline")
        XCTAssertEqual(byName["ghost"]?["errorKind"] as? String, "descriptor-not-found")
        XCTAssertNotNil((byName["thermostat"]?["thermostat"] as? [String: Any])?["setpoint"])
        let text = try onionctl(["status"])
        XCTAssertTrue(text.stdout.contains("ghost") && text.stdout.contains("offline") && text.stdout.contains("not published"), text.stdout)
        let subset = try onionctl(["status", "thermostat", "pins"])
        XCTAssertEqual(subset.code, 0, subset.stderr + subset.stdout)
    }

    func testEveryJSONOutputParsesAndCarriesNoKey() throws {
        for arguments in [["list", "--json"], ["get", "thermostat", "--json"], ["get", "thermostat", "setpoint", "--json"],
                          ["get", "porch", "history", "--json"], ["key", "show", "thermostat", "--json"], ["get", "nosuch", "--json"]] {
            let result = try onionctl(arguments)
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), "\(arguments): \(result.stdout) \(result.stderr)")
        }
        // The thermostat needs its key: without it, client authorization is reported (exit 5).
        XCTAssertEqual(try sandbox.run(["key", "remove", "thermostat", "--yes"]).code, 0)
        XCTAssertEqual(try onionctl(["get", "thermostat"]).code, 5)
    }
}

/// GET with curl (plain HTTP on loopback, bounded).
func syncGET(_ url: URL) throws -> Data {
    let run = try runBounded("/usr/bin/env", ["curl", "-sS", "--fail", "--max-time", "10", url.absoluteString], timeout: 30)
    guard run.status == 0 else { throw TestNetworkError("curl \(url) failed (\(run.status)): \(run.stderr)") }
    return Data(run.stdout.utf8)
}
