import Foundation
import TestSupport
import XCTest

/// Issue 20 items 4 and 6 on the private network: one exit code per outcome whatever the command,
/// and under `--json` exactly one JSON document with it.
final class CLIOutcomeEndToEndTests: XCTestCase {
    var network: TestNetwork!
    var sandbox: Sandbox!

    override func setUpWithError() throws {
        network = try TestNetwork.shared()
        sandbox = Sandbox("cli-outcome-e2e")
        let thermostat = try network.device("thermostat")
        XCTAssertEqual(try sandbox.run(["add", "thermostat", thermostat.onion, "--kind", "thermostat"]).code, 0)
        XCTAssertEqual(try sandbox.run(["import", network.authDirectory.path]).code, 0)
        // A device nobody publishes: it never answers.
        XCTAssertEqual(try sandbox.run(["add", "gone", try randomOnionAddress().base32, "--kind", "thermostat"]).code, 0)
    }

    private func onionctl(_ arguments: [String], network file: String? = nil) throws -> RunResult {
        try sandbox.run(arguments + ["--network", file ?? network.networkFile.path, "--timeout", "60"].filter {
            arguments.first == "tor" || arguments.first == "fetch" ? !["--timeout", "60"].contains($0) : true
        }, timeout: 240)
    }

    private func json(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// `status` exited 7 where `get` exited 6 for the same device that never answered.
    func testADeviceThatNeverAnswersIsOfflineForStatusAndGetAlike() throws {
        let get = try onionctl(["get", "gone", "--json"])
        XCTAssertEqual(get.code, 6, get.stderr)
        let getDocument = try XCTUnwrap(try json(get) as? [String: Any], get.stdout)
        let status = try onionctl(["status", "gone", "--json"])
        XCTAssertEqual(status.code, 6, status.stderr)
        let rows = try XCTUnwrap(try json(status) as? [[String: Any]], status.stdout)
        XCTAssertEqual(rows.first?["state"] as? String, "offline")
        XCTAssertEqual(rows.first?["errorKind"] as? String, getDocument["kind"] as? String,
                       "status and get name the same outcome the same way")
    }

    /// `fetch --json` on a 404 printed the raw body and no JSON.
    func testFetchJSONReportsAnHTTPErrorAsOneDocumentWithExit22() throws {
        let thermostat = try network.device("thermostat")
        let missing = try onionctl(["fetch", "--json", "http://\(thermostat.onion)/no/such/path"])
        XCTAssertEqual(missing.code, 22, missing.stderr)
        let error = try XCTUnwrap(try json(missing) as? [String: Any], missing.stdout)
        XCTAssertEqual(error["kind"] as? String, "http-error")
        XCTAssertEqual((error["exitCode"] as? NSNumber)?.intValue, 22)
        let found = try onionctl(["fetch", "--json", "http://\(thermostat.onion)/api/v1/thermostat"])
        XCTAssertEqual(found.code, 0, found.stderr)
        let answer = try XCTUnwrap(try json(found) as? [String: Any], found.stdout)
        XCTAssertEqual((answer["status"] as? NSNumber)?.intValue, 200)
        XCTAssertTrue((answer["body"] as? String ?? "").contains("setpoint"), found.stdout)
    }

    /// A network whose authorities cannot be reached is "no Tor directory" (3) for every command
    /// (`get`/`status` said 7, `tor bootstrap` 3).
    func testUnreachableAuthoritiesAreNoDirectoryForEveryCommand() throws {
        let text = try String(contentsOf: network.networkFile, encoding: .utf8)
        // Every authority's directory port replaced by a closed loopback port.
        let closed = text.replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:9", options: .regularExpression)
            .replacingOccurrences(of: #"orport=\d+"#, with: "orport=9", options: .regularExpression)
        let file = makeTemporaryDirectory("cli-unreachable").appendingPathComponent("network")
        try closed.write(to: file, atomically: true, encoding: .utf8)
        for command in [["tor", "bootstrap"], ["status"], ["get", "thermostat"], ["set", "thermostat", "mode", "heat"]] {
            let result = try onionctl(command + ["--json"], network: file.path)
            XCTAssertEqual(result.code, 3, "\(command): \(result.stderr)")
            let document = try XCTUnwrap(try json(result) as? [String: Any], "\(command): \(result.stdout)")
            XCTAssertEqual(document["kind"] as? String, "no-directory", "\(command)")
        }
    }

    /// Issue 20 item 12: on a terminal, `fetch` left the shell prompt glued to a body without a last
    /// line break. `script` gives it a terminal (which shows "\n" as "\r\n").
    func testFetchOnATerminalEndsWithALineBreak() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) is not installed") }
        let thermostat = try network.device("thermostat")
        let command = "'\(try onionctlBinary())' fetch --network '\(network.networkFile.path)' http://\(thermostat.onion)/api/v1/thermostat"
        let result = try runBounded("/usr/bin/script", ["-qec", command, "/dev/null"], environment: sandbox.environment, timeout: 240)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("setpoint"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("}\r\n"), "no last line break: \(result.stdout.debugDescription)")
    }
}
