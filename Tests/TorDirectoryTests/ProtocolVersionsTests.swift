import XCTest
@testable import TorDirectory

final class ProtocolVersionsTests: XCTestCase {
    func testParseAndQuery() throws {
        let p = try ProtocolVersions(parsing: "Cons=2 Desc=1-2 Link=4-5 LinkAuth=1,3 Padding= Relay=2-6")
        XCTAssertTrue(p.supports("Link", 4))
        XCTAssertTrue(p.supports("Link", 5))
        XCTAssertFalse(p.supports("Link", 3))
        XCTAssertTrue(p.supports("LinkAuth", 3))
        XCTAssertFalse(p.supports("LinkAuth", 2))
        XCTAssertFalse(p.supports("Padding", 0))
        XCTAssertFalse(p.supports("HSDir", 2))
        XCTAssertEqual(p.description, "Cons=2 Desc=1-2 Link=4-5 LinkAuth=1,3 Padding= Relay=2-6")
        XCTAssertEqual(try ProtocolVersions(parsing: p.description), p)
    }

    func testMissing() throws {
        let required = try ProtocolVersions(parsing: "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2")
        XCTAssertTrue(ProtocolVersions.onionctlSupported.missing(from: required).isEmpty)
        let future = try ProtocolVersions(parsing: "Cons=2 Link=4-6 Relay=2-4 NewThing=1")
        XCTAssertEqual(ProtocolVersions.onionctlSupported.missing(from: future).description, "Link=6 NewThing=1 Relay=3")
        XCTAssertEqual(ProtocolVersions.onionctlSupported.description,
                       "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4 HSRend=2 Link=4-5 Microdesc=2 Relay=2,4")
    }

    func testMalformed() {
        for bad in ["Link", "Link=x", "Link=5-4", "Link=64", "=1", "Link=1-", "Link=1 Link=2", "Li nk=1"] where !bad.contains(" ") || bad.hasPrefix("Link=1 ") {
            XCTAssertThrowsError(try ProtocolVersions(parsing: bad), bad)
        }
        XCTAssertThrowsError(try ProtocolVersions(parsing: ["Li nk=1"]))
    }
}
