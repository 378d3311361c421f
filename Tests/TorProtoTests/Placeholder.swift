import XCTest
final class TorProtoPlaceholder: XCTestCase { func testNothingYet() { XCTAssertTrue(true) } }
