import OnionctlUI
import XCTest
@testable import OnionctlCLI

/// Issue 20 item 1: the dashboard's `:set` checks a setpoint as `onionctl set` does, before sending.
final class DashboardSetpointCheckTests: XCTestCase {
    let reading = ThermostatReading(temperature: 19.5, setpoint: 20, mode: .heat, humidity: nil, state: .idle,
                                    minimum: 5, maximum: 30, step: 0.5, history: [])

    private func refusal(_ text: String) -> String? {
        do {
            _ = try DashboardSetpointCheck.value(text, device: "thermostat", reading: reading)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testOutOfRangeAndOffStepValuesAreRefusedWithTheDevicesLimits() {
        XCTAssertEqual(refusal("35"), "thermostat: not changed: the setpoint 35 °C is outside this thermostat's range 5–30 °C")
        XCTAssertEqual(refusal("21.3"), "thermostat: not changed: the setpoint 21.3 °C is not a multiple of this thermostat's step 0.5 °C")
        XCTAssertEqual(refusal("warm"), "thermostat: not changed: the setpoint must be a number in °C, e.g. 21.5 (got 'warm')")
        XCTAssertEqual(refusal("nan"), "thermostat: not changed: the setpoint must be a number in °C, e.g. 21.5 (got 'nan')")
    }

    func testValuesInsideTheLimitsPass() throws {
        XCTAssertEqual(try DashboardSetpointCheck.value("21.5", device: "t", reading: reading), 21.5)
        XCTAssertEqual(try DashboardSetpointCheck.value("21,5", device: "t", reading: reading), 21.5)
        XCTAssertEqual(try DashboardSetpointCheck.value("5", device: "t", reading: reading), 5)
        // Not read yet: the device's own check (DeviceService.change) decides.
        XCTAssertEqual(try DashboardSetpointCheck.value("35", device: "t", reading: nil), 35)
    }
}
