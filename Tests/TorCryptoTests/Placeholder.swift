import XCTest
final class TorCryptoTestsSmoke: XCTestCase { func testTrue() { XCTAssertEqual(1 + 1, 2) } }
