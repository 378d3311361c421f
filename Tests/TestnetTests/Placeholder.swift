import XCTest
final class TestnetTestsSmoke: XCTestCase { func testTrue() { XCTAssertEqual(1 + 1, 2) } }
