import XCTest
@testable import DeviceSimulator

/// `--hostile-text`: the device's answers carry escape sequences for onionctl's terminal-safety tests.
final class HostileTextTests: XCTestCase {
    func testTheOptionIsParsed() throws {
        let options = try DeviceOptions.parse(["--listen", "127.0.0.1:0", "--state", "/tmp/x.json", "--hostile-text"])
        XCTAssertTrue(options.hostileText)
        XCTAssertFalse(try DeviceOptions.parse(["--listen", "127.0.0.1:0", "--state", "/tmp/x.json"]).hostileText)
    }

    func testNameReasonPhraseHeaderAndErrorBodiesCarryEscapeSequences() throws {
        let directory = try makeTemporaryDirectory(self)
        let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0), statePath: directory + "/state.json",
                                    name: "living-room", acceptInterval: 0, hostileText: true)
        let host = try DeviceHost(options: options, clock: ManualClock(), tickInterval: nil)
        let port = try host.start()
        addTeardownBlock { try? host.stop() }
        let client = try RawClient(port: port)
        let reading = try client.request("GET", "/api/v1/thermostat")
        XCTAssertEqual(reading.status, 200)
        XCTAssertEqual(reading.json?["name"], .string("\u{1b}]0;pwned\u{07}living-room\u{1b}[2J\u{9b}31m\u{7f}"))
        XCTAssertEqual(reading.headers["X-Device-Status"], HostileText.decorate("fine"))
        let missing = try client.request("GET", "/missing")
        XCTAssertEqual(missing.status, 404)
        guard case let .string(error)? = missing.json?["error"] else { return XCTFail(missing.text) }
        XCTAssertTrue(error.hasPrefix(HostileText.prefix) && error.hasSuffix(HostileText.suffix), error)
        XCTAssertTrue(missing.text.contains(#"\u001b"#), "JSON-escaped on the wire: \(missing.text)")

        let wire = HTTPResponseWriter.serialize(HostileText.wrap { _ in .text(200, "hi") }(HTTPRequest(method: "GET", target: "/")),
                                                quirks: .none, keepAlive: true)
        let statusLine = String(decoding: wire, as: UTF8.self).components(separatedBy: "\r\n")[0]
        XCTAssertEqual(statusLine, "HTTP/1.1 200 \u{1b}]0;pwned\u{07}OK\u{1b}[2J\u{9b}31m\u{7f}")
    }
}
