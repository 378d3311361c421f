import Foundation
import XCTest
@testable import DeviceSimulator

/// `--change-log`: the device's own record of applied changes, which the soak reconciles against.
final class ChangeLogTests: XCTestCase {
    private func startHost(kind: DeviceKind) throws -> (UInt16, String) {
        let directory = try makeTemporaryDirectory(self)
        let log = directory + "/changes.jsonl"
        let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0),
                                    statePath: directory + "/state.json", kind: kind, acceptInterval: 0, changeLogPath: log)
        let host = try DeviceHost(options: options, clock: ManualClock(), tickInterval: nil)
        let port = try host.start()
        addTeardownBlock { try? host.stop() }
        return (port, log)
    }

    private func records(_ path: String) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testAppliedThermostatChangesAreLoggedRefusedOnesAndReadsAreNot() throws {
        let (port, log) = try startHost(kind: .thermostat)
        let client = try RawClient(port: port)
        XCTAssertEqual(try client.request("GET", "/api/v1/thermostat").status, 200)
        XCTAssertEqual(try client.request("PATCH", "/api/v1/thermostat", body: #"{"setpoint":30.5}"#).status, 422)
        XCTAssertEqual(try records(log).count, 0, "a read and a refused change are not applied changes")
        XCTAssertEqual(try client.request("PATCH", "/api/v1/thermostat", body: #"{"setpoint":19.5}"#).status, 200)
        XCTAssertEqual(try client.request("PATCH", "/api/v1/thermostat", body: #"{"mode":"cool"}"#).status, 200)
        let lines = try records(log)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines.first?["method"] as? String, "PATCH")
        XCTAssertEqual(lines.first?["path"] as? String, "/api/v1/thermostat")
        XCTAssertEqual(lines.first?["status"] as? Int, 200)
        XCTAssertEqual(lines.first?["body"] as? String, #"{"setpoint":19.5}"#)
        XCTAssertEqual(lines.last?["body"] as? String, #"{"mode":"cool"}"#)
        XCTAssertNotNil(lines.last?["unix"] as? Double)
    }

    func testAppliedPinChangeIsLogged() throws {
        let (port, log) = try startHost(kind: .pins)
        let client = try RawClient(port: port)
        let body = #"{"name":"led","index":0,"type":0,"pin":{"num":2,"state":true}}"#
        XCTAssertEqual(try client.request("POST", "/links", body: body).status, 200)
        XCTAssertEqual(try records(log).map { $0["body"] as? String }, [body])
    }
}
