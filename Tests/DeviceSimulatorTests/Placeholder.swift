import XCTest
final class DeviceSimulatorTestsSmoke: XCTestCase { func testTrue() { XCTAssertEqual(1 + 1, 2) } }
