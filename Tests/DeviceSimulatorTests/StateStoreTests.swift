import XCTest
@testable import DeviceSimulator

final class StateStoreTests: XCTestCase {
    func testSaveAndReloadRoundTrips() throws {
        let directory = try makeTemporaryDirectory(self)
        let store = StateStore(path: directory + "/state.json")
        XCTAssertNil(try store.load())
        var model = ThermostatModel(name: "Hall", now: Date(timeIntervalSince1970: 1000))
        model.advance(to: Date(timeIntervalSince1970: 1234))
        try store.save(DeviceStateFile(thermostat: model))
        XCTAssertEqual(try store.load(), DeviceStateFile(thermostat: model))
        var pins = PinsModel(name: "p")
        try pins.upsert(try JSONParser.parse(#"{"name":"fan","index":2,"type":0,"pin":{"num":5,"state":true}}"#))
        try store.save(DeviceStateFile(pins: pins))
        XCTAssertEqual(try store.load()?.pins, pins)
        // No temporary files are left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["state.json"])
    }

    func testCorruptFileIsRefusedAndLeftUntouched() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/state.json"
        for corrupt in ["{not json", "", #"{"format":1,"kind":"thermostat"}"#, #"{"format":9,"kind":"pins","pins":{"name":"p","links":[]}}"#] {
            try Data(corrupt.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try StateStore(path: path).load()) { error in
                guard case .corrupt? = error as? StateStoreError else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains(path))
            }
            let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0), statePath: path)
            XCTAssertThrowsError(try DeviceHost(options: options, tickInterval: nil))
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), corrupt)
        }
    }

    func testWrongKindIsRefused() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/state.json"
        try StateStore(path: path).save(DeviceStateFile(pins: PinsModel(name: "p")))
        let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0), statePath: path, kind: .thermostat)
        XCTAssertThrowsError(try DeviceHost(options: options, tickInterval: nil)) { error in
            XCTAssertEqual(error as? StateStoreError, .wrongKind(path: path, found: .pins, wanted: .thermostat))
        }
    }

    func testChangesSurviveARestart() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/state.json"
        let clock = ManualClock()
        let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0), statePath: path)
        let first = try DeviceHost(options: options, clock: clock, tickInterval: nil)
        let body = Array(#"{"setpoint":23.5,"mode":"auto"}"#.utf8)
        XCTAssertEqual(first.device.handle(HTTPRequest(method: "PATCH", target: "/api/v1/thermostat",
                                                       headers: ["Content-Length": "\(body.count)"], body: body)).status, 200)
        // Saved on change, before the response: a crash now would not lose it.
        XCTAssertEqual(try StateStore(path: path).load()?.thermostat?.setpoint, 23.5)
        clock.advance(by: 100)
        first.device.tick()
        try first.stop()
        let second = try DeviceHost(options: options, clock: clock, tickInterval: nil)
        let model = try XCTUnwrap((second.device as? ThermostatDevice)?.current)
        XCTAssertEqual(model.setpoint, 23.5)
        XCTAssertEqual(model.mode, .auto)
        XCTAssertEqual(model.history.count, 11)
    }

    func testOptionsParsing() throws {
        let options = try DeviceOptions.parse(["--listen", "127.0.0.1:8080", "--state", "s.json", "--kind", "pins",
                                               "--quirks", "minitor", "--name=Desk", "--accept-interval", "0.5"])
        XCTAssertEqual(options.listen.port, 8080)
        XCTAssertEqual(options.kind, .pins)
        XCTAssertEqual(options.quirks, .minitor)
        XCTAssertEqual(options.name, "Desk")
        XCTAssertEqual(options.acceptInterval, 0.5)
        XCTAssertEqual(try DeviceOptions.parse(["--listen", "[::1]:1", "--state", "s"]).listen.isIPv6, true)
        for bad in [["--listen", "0.0.0.0:80", "--state", "s"], ["--listen", "192.168.1.2:80", "--state", "s"],
                    ["--listen", "[::]:80", "--state", "s"], ["--listen", "127.0.0.1", "--state", "s"],
                    ["--listen", "127.0.0.1:80"], ["--listen", "127.0.0.1:80", "--state", "s", "--kind", "lamp"],
                    ["--bogus"]] {
            XCTAssertThrowsError(try DeviceOptions.parse(bad), "\(bad)")
        }
        XCTAssertEqual(try LoopbackAddress(parsing: "127.8.9.10:0").host, "127.8.9.10")
    }
}
