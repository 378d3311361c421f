import XCTest
@testable import DeviceSimulator

final class ThermostatTests: XCTestCase {
    private func makeDevice() -> (ThermostatDevice, ManualClock) {
        let clock = ManualClock()
        let model = ThermostatModel(name: "Test", now: clock.now())
        return (ThermostatDevice(model: model, clock: clock, store: nil), clock)
    }

    private func patch(_ device: ThermostatDevice, _ body: String, method: String = "PATCH") -> HTTPResponse {
        device.handle(HTTPRequest(method: method, target: "/api/v1/thermostat",
                                  headers: ["Content-Length": "\(body.utf8.count)"], body: Array(body.utf8)))
    }

    func testInvalidSetpointsAre422AndChangeNothing() throws {
        let (device, _) = makeDevice()
        let before = device.current
        let cases: [(String, String?)] = [
            (#"{"setpoint":4.9}"#, "setpoint"), (#"{"setpoint":30.5}"#, "setpoint"),
            (#"{"setpoint":21.25}"#, "setpoint"), (#"{"setpoint":"21"}"#, "setpoint"),
            (#"{"setpoint":null}"#, "setpoint"), (#"{"setpoint":true}"#, "setpoint"),
            (#"{"setpoint":22,"mode":"warm"}"#, "mode"), (#"{"mode":1}"#, "mode"),
            (#"{"setpoint":22,"fan":"on"}"#, "fan"), (#"{"setpoint":22,"setpoint":23}"#, "setpoint"),
            ("{\"setpoint\":", nil), ("", nil), ("   ", nil), ("{}", nil), ("[21]", nil), ("21", nil),
        ]
        for (body, field) in cases {
            let response = patch(device, body)
            XCTAssertEqual(response.status, 422, body)
            XCTAssertEqual(response.headers["Content-Type"], "application/json")
            let json = try JSONParser.parse(response.body)
            guard case .string(let message)? = json["error"] else { return XCTFail("no error sentence for \(body)") }
            XCTAssertTrue(message.hasSuffix("."), message)
            XCTAssertEqual(json["field"], field.map(JSONValue.string), body)
        }
        XCTAssertEqual(device.current, before)
    }

    func testValidPatchAppliesAtomicallyAndIsIdempotent() throws {
        let (device, _) = makeDevice()
        let first = patch(device, #"{"setpoint":22.5,"mode":"cool"}"#)
        XCTAssertEqual(first.status, 200)
        let json = try JSONParser.parse(first.body)
        XCTAssertEqual(json["setpoint"], .number(22.5))
        XCTAssertEqual(json["mode"], .string("cool"))
        XCTAssertEqual(json["units"], .string("C"))
        XCTAssertEqual(json["min"], .number(5))
        XCTAssertEqual(json["max"], .number(30))
        XCTAssertEqual(json["step"], .number(0.5))
        XCTAssertEqual(json["updated"], .string("2024-01-01T00:00:00Z"))
        let second = patch(device, #"{"setpoint":22.5,"mode":"cool"}"#, method: "PUT")
        XCTAssertEqual(second.body, first.body)
        for boundary in ["5", "30", "5.0", "29.5"] {
            XCTAssertEqual(patch(device, "{\"setpoint\":\(boundary)}").status, 200, boundary)
        }
        for mode in ThermostatMode.allCases {
            XCTAssertEqual(patch(device, "{\"mode\":\"\(mode.rawValue)\"}").status, 200)
            XCTAssertEqual(device.current.mode, mode)
        }
    }

    func testPhysicsHeatsToSetpointWithHysteresis() {
        var model = ThermostatModel(name: "T", now: Date(timeIntervalSince1970: 0))
        model.apply(ThermostatPatch(setpoint: 21, mode: .heat), at: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(model.activity, .heating)
        model.advance(to: Date(timeIntervalSince1970: 60))
        XCTAssertEqual(model.temperature, 21, accuracy: 0.001)
        XCTAssertEqual(model.activity, .idle)
        var low = 100.0, high = -100.0, sawHeating = false
        for second in 61...1000 {
            model.advance(to: Date(timeIntervalSince1970: Double(second)))
            low = min(low, model.temperature)
            high = max(high, model.temperature)
            sawHeating = sawHeating || model.activity == .heating
        }
        XCTAssertTrue(sawHeating, "heating never resumed after cooling below the hysteresis band")
        XCTAssertGreaterThanOrEqual(low, 21 - ThermostatPhysics.hysteresis - 0.05)
        XCTAssertLessThanOrEqual(high, 21.0001)
        XCTAssertTrue((20...80).contains(model.humidity))
    }

    func testPhysicsCoolsAndDriftsToAmbientWhenOff() {
        var model = ThermostatModel(name: "T", now: Date(timeIntervalSince1970: 0))
        model.apply(ThermostatPatch(setpoint: 12, mode: .cool), at: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(model.activity, .cooling)
        model.advance(to: Date(timeIntervalSince1970: 50))
        XCTAssertEqual(model.temperature, 12, accuracy: 0.001)
        XCTAssertEqual(model.activity, .idle)
        model.advance(to: Date(timeIntervalSince1970: 100)) // cycles within the hysteresis band
        XCTAssertTrue((12...12 + ThermostatPhysics.hysteresis + 0.05).contains(model.temperature), "\(model.temperature)")
        model.apply(ThermostatPatch(mode: .off), at: Date(timeIntervalSince1970: 100))
        model.advance(to: Date(timeIntervalSince1970: 1000))
        XCTAssertEqual(model.temperature, ThermostatPhysics.ambient, accuracy: 0.001)
        XCTAssertEqual(model.activity, .idle)
    }

    func testSimulationIsDeterministicAndDrivenByTheClock() {
        let (a, clockA) = makeDevice()
        let (b, clockB) = makeDevice()
        clockA.advance(by: 300)
        clockB.advance(by: 300)
        XCTAssertEqual(a.current, b.current)
        XCTAssertEqual(a.current.updated, Date(timeIntervalSince1970: 1_704_067_200 + 300))
    }

    func testHistoryGrowsEveryTenSecondsAndIsBounded() throws {
        let (device, clock) = makeDevice()
        XCTAssertEqual(device.current.history.count, 1)
        clock.advance(by: 10)
        XCTAssertEqual(device.current.history.count, 2)
        clock.advance(by: 9)
        XCTAssertEqual(device.current.history.count, 2)
        clock.advance(by: 5000)
        let history = device.current.history
        XCTAssertEqual(history.count, ThermostatModel.historyCapacity)
        for (earlier, later) in zip(history, history.dropFirst()) {
            XCTAssertEqual(later.time.timeIntervalSince(earlier.time), ThermostatModel.historyInterval)
        }
        let response = device.handle(HTTPRequest(method: "GET", target: "/api/v1/thermostat/history"))
        let json = try JSONParser.parse(response.body)
        XCTAssertEqual(json["interval"], .number(10))
        guard case .array(let samples)? = json["samples"] else { return XCTFail("no samples") }
        XCTAssertEqual(samples.count, 120)
        XCTAssertNotNil(samples.last?["t"])
        XCTAssertNotNil(samples.last?["temperature"])
        XCTAssertNotNil(samples.last?["setpoint"])
    }

    func testRoutingErrors() {
        let (device, _) = makeDevice()
        XCTAssertEqual(device.handle(HTTPRequest(method: "GET", target: "/nope")).status, 404)
        let wrong = device.handle(HTTPRequest(method: "DELETE", target: "/api/v1/thermostat"))
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers["Allow"], "GET, PATCH, PUT")
        XCTAssertEqual(device.handle(HTTPRequest(method: "GET", target: "/?q=1")).status, 200)
    }
}
