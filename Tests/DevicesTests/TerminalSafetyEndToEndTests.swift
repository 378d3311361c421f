import Devices
import Foundation
import TestSupport
import XCTest

/// Issue 11 (terminal safety): a device whose answers carry escape sequences, reached through the
/// private Tor network. onionctl's human output, `-v` progress and error messages show them
/// escaped (`\x1b`); `--json` carries them exactly, JSON-escaped.
final class TerminalSafetyEndToEndTests: XCTestCase {
    /// What onion-device --hostile-text wraps its name, reason phrases and error strings in.
    static let prefix = "\u{1b}]0;pwned\u{07}", suffix = "\u{1b}[2J\u{9b}31m\u{7f}"
    static let shownPrefix = #"\x1b]0;pwned\x07"#, shownSuffix = #"\x1b[2J\x9b31m\x7f"#
    static let jsonPrefix = #"\u001b]0;pwned\u0007"#, jsonSuffix = #"\u001b[2J\u009b31m\u007f"#

    /// The shared network's hostile device, or (an older shared network without one) a network of its own.
    private func hostileDevice() throws -> (TestNetwork, TestNetwork.Device) {
        let shared = try TestNetwork.shared()
        if let device = try? shared.device("hostile") { return (shared, device) }
        let own = try TestNetwork.isolated("hostile", devices: "hostile:thermostat:hostile")
        return (own, try own.device("hostile"))
    }

    /// No ESC, BEL, DEL or C1 control (other than the line breaks of our own output) in `text`.
    private func assertNoRawControls(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let raw = text.unicodeScalars.filter { !TerminalSafeText.isSafe($0) && $0 != "\n" }
        XCTAssertTrue(raw.isEmpty, "\(what) has raw control characters \(raw.map { String($0.value, radix: 16) }): \(text.debugDescription)",
                      file: file, line: line)
    }

    func testHostileDeviceTextIsEscapedForPeopleAndExactInJSON() throws {
        let (network, device) = try hostileDevice()
        let net = ["--network", network.networkFile.path, "--timeout", "90"]
        let sandbox = Sandbox("hostile")
        XCTAssertEqual(try sandbox.run(["add", "hostile", device.onion, "--kind", "thermostat"]).code, 0)

        // Human output and -v progress: escaped.
        let human = try sandbox.run(["get", "hostile", "-v"] + net)
        XCTAssertEqual(human.code, 0, human.stderr)
        XCTAssertTrue(human.stdout.contains(Self.shownPrefix + "hostile" + Self.shownSuffix + ":"), human.stdout)
        assertNoRawControls(human.stdout, "get's output")
        assertNoRawControls(human.stderr, "get -v's progress")
        let field = try sandbox.run(["get", "hostile", "name"] + net)
        XCTAssertEqual(field.stdout, Self.shownPrefix + "hostile" + Self.shownSuffix + "\n")

        // --json: exact, JSON-escaped, parses back to the very bytes the device sent.
        let json = try sandbox.run(["get", "hostile", "--json"] + net)
        XCTAssertEqual(json.code, 0, json.stderr)
        XCTAssertTrue(json.stdout.contains(Self.jsonPrefix + "hostile" + Self.jsonSuffix), json.stdout)
        assertNoRawControls(json.stdout, "--json output")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, Self.prefix + "hostile" + Self.suffix)

        // The same device as a plain HTTP device: reason phrase in status, error body in errors.
        let http = Sandbox("hostile-http")
        XCTAssertEqual(try http.run(["add", "hostile", device.onion, "--kind", "http"]).code, 0)
        let status = try http.run(["status"] + net)
        XCTAssertEqual(status.code, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("HTTP 200 " + Self.shownPrefix + "OK" + Self.shownSuffix), status.stdout)
        assertNoRawControls(status.stdout + status.stderr, "status")
        let statusJSON = try http.run(["status", "--json"] + net)
        XCTAssertTrue(statusJSON.stdout.contains("HTTP 200 " + Self.jsonPrefix + "OK" + Self.jsonSuffix), statusJSON.stdout)

        let body = try http.run(["get", "hostile", "/nothing-here"] + net)
        XCTAssertEqual(body.code, 22, body.stderr)
        // The device's JSON body escapes ESC and BEL itself (as text); its raw C1 and DEL are escaped by onionctl.
        XCTAssertTrue(body.stdout.contains(#"There is no resource at /nothing-here; see GET / for the API.\u001b[2J\x9b31m\x7f"#), body.stdout)
        assertNoRawControls(body.stdout + body.stderr, "an http device's body")

        // An error body in an error message: a thermostat has no /links, so `pins` gets its 404.
        let pins = Sandbox("hostile-pins")
        XCTAssertEqual(try pins.run(["add", "hostile", device.onion, "--kind", "pins"]).code, 0)
        let missing = try pins.run(["pins", "hostile", "-v"] + net)
        XCTAssertEqual(missing.code, 22, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("hostile refused the request (HTTP 404): " + Self.shownPrefix + "There is no resource at /links"),
                      missing.stderr)
        assertNoRawControls(missing.stdout + missing.stderr, "an HTTP error's message")
        let missingJSON = try pins.run(["pins", "hostile", "--json"] + net)
        XCTAssertEqual(missingJSON.code, 22)
        XCTAssertTrue(missingJSON.stdout.contains(Self.jsonPrefix + "There is no resource at /links"), missingJSON.stdout)
        assertNoRawControls(missingJSON.stdout, "an HTTP error's JSON")
        let error = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(missingJSON.stdout.utf8)) as? [String: Any])
        XCTAssertTrue((error["error"] as? String)?.contains(Self.prefix + "There is no resource at /links") == true)
        XCTAssertTrue((error["error"] as? String)?.contains(Self.suffix) == true, "exact in JSON")

        // fetch -i: the status line and headers are escaped (the body, piped, stays exact data).
        let fetched = try http.run(["fetch", "-i", "http://\(device.onion)/api/v1/thermostat"] + net.dropLast(2))
        XCTAssertEqual(fetched.code, 0, fetched.stderr)
        let head = fetched.stdout.components(separatedBy: "\r\n\r\n")[0]
        XCTAssertTrue(head.contains(Self.shownPrefix + "OK"), head)
        XCTAssertTrue(head.contains("X-Device-Status: " + Self.shownPrefix + "fine"), head)
        assertNoRawControls(head.replacingOccurrences(of: "\r\n", with: "\n"), "fetch -i's head")
        XCTAssertTrue(fetched.stdout.contains(Self.jsonPrefix), "the piped body is the device's exact bytes")
    }
}
