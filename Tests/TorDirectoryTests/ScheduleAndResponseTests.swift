import XCTest
@testable import TorDirectory

final class ScheduleAndResponseTests: XCTestCase {
    func testRefetchWindowAndLiveness() throws {
        let c = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        // fresh-until 11:00 + 3/4 h = 11:45; 7/8 of the 75 min to 13:00 ⇒ until 12:50:37.5.
        XCTAssertEqual(DirTime.format(c.refetchTime(fraction: 0)), "2026-07-27 11:45:00")
        XCTAssertEqual(DirTime.format(c.refetchTime(fraction: 1)), "2026-07-27 12:50:37")
        XCTAssertTrue(c.isLive(at: Fixture.liveNow))
        XCTAssertFalse(c.isLive(at: DirTime.parse("2026-07-27 13:00:01")!))
        XCTAssertTrue(c.isReasonablyLive(at: DirTime.parse("2026-07-28 12:59:59")!))
    }

    /// The live network's lists (2026-07-27) against a client with onionctl's protocols before
    /// congestion control and ntor v3.
    func testProtocolPolicyNamesWhatIsMissingAndWhatToDo() throws {
        let c = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        let client = ProtocolVersions([
            "Cons": [2...2], "Desc": [2...2], "FlowCtrl": [1...1], "Link": [4...5], "Microdesc": [2...2],
            "Relay": [2...2], "HSDir": [2...2], "HSIntro": [4...4], "HSRend": [2...2], "DirCache": [2...2],
        ])
        let policy = ProtocolPolicy(supported: client, consensus: c)
        XCTAssertTrue(policy.missingRequired.isEmpty)
        XCTAssertNil(policy.requiredExplanation)
        XCTAssertEqual(policy.missingRecommended.description, "FlowCtrl=2 Relay=3-4")
        let warning = try XCTUnwrap(policy.recommendedWarning)
        XCTAssertTrue(warning.contains("recommends FlowCtrl=2 (flow control: authenticated SENDMEs, congestion control), "
                                       + "Relay=3-4 (relay cells and circuit handshakes: ntor, ntor v3)"), warning)
        // The day the authorities promote them to required.
        let promoted = ProtocolPolicy(supported: client, required: c.recommendedClientProtocols,
                                      recommended: c.recommendedClientProtocols)
        XCTAssertEqual(promoted.missingRequired.description, "FlowCtrl=2 Relay=3-4")
        XCTAssertTrue(promoted.missingRecommended.isEmpty, "required ones are not repeated as recommended")
        let explanation = try XCTUnwrap(promoted.requiredExplanation)
        XCTAssertTrue(explanation.contains("requires FlowCtrl=2"), explanation)
        XCTAssertTrue(explanation.contains("Install a newer onionctl"), explanation)
        XCTAssertTrue(explanation.contains("RequiredClientProtocols"), explanation)
        // A client with everything recommended has nothing to say.
        let full = ProtocolPolicy(supported: c.recommendedClientProtocols, consensus: c)
        XCTAssertNil(full.recommendedWarning)
        XCTAssertNil(full.requiredExplanation)
    }

    func testResponse() throws {
        let ok = try DirectoryResponse(Array("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody\n".utf8))
        XCTAssertEqual(ok.statusCode, 200)
        XCTAssertEqual(ok.headers["content-type"], "text/plain")
        XCTAssertEqual(ok.body, Array("body\n".utf8))
        XCTAssertNoThrow(try ok.requireOK())
        let notFound = try DirectoryResponse(Array("HTTP/1.0 404 Not found\r\n\r\n".utf8))
        XCTAssertThrowsError(try notFound.requireOK()) { XCTAssertEqual("\($0)", "directory server answered 404 Not found") }
        // Decoding is the caller's (TorClient's DirectoryHTTP, through TorCompression): the raw body stays.
        let compressed = try DirectoryResponse(Array("HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\nx".utf8))
        XCTAssertEqual(compressed.headers["content-encoding"], "deflate")
        XCTAssertEqual(compressed.body, Array("x".utf8))
        XCTAssertThrowsError(try DirectoryResponse(Array("HTTP/1.0 200 OK\r\n".utf8)))
        XCTAssertThrowsError(try DirectoryResponse(Array("garbage\r\n\r\n".utf8)))
    }

    /// A consensus the size of the real one parses in reasonable time.
    func testLargeConsensusParses() throws {
        let text = try Fixture.string("live-consensus-microdesc")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let firstR = lines.firstIndex { $0.hasPrefix("r ") }!
        let footer = lines.firstIndex { $0 == "directory-footer" }!
        let entries = lines[firstR..<footer].joined(separator: "\n")
        let big = (lines[..<firstR] + [Substring(Array(repeating: entries, count: 1600).joined(separator: "\n"))] + lines[footer...])
            .joined(separator: "\n")
        let start = Date()
        let c = try Consensus(string: big)
        XCTAssertEqual(c.routers.count, 8000)
        print("parsed 8000-router consensus in \(Date().timeIntervalSince(start)) s")
    }
}
