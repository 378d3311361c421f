import Foundation
import TestSupport
import XCTest

/// Issue 20 (items 3, 4, 6, 12): every outcome of every command is reported one way. Under `--json`
/// it is exactly one JSON document on stdout with the documented exit code; usage mistakes are
/// invalid input (2); a reader that went away is not a crash. No network needed.
final class CLIOutcomeTests: XCTestCase {
    /// Parses stdout as exactly one JSON object (pretty-printed, like every document).
    private func document(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try XCTUnwrap(object as? [String: Any], "not one JSON object: \(result.stdout)", file: file, line: line)
    }

    private func assertJSONError(_ result: RunResult, code: Int32, kind: String, _ what: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.code, code, "\(what): \(result.stderr)", file: file, line: line)
        let json = try document(result, file: file, line: line)
        XCTAssertEqual(json["kind"] as? String, kind, "\(what): \(result.stdout)", file: file, line: line)
        XCTAssertEqual((json["exitCode"] as? NSNumber)?.int32Value, code, what, file: file, line: line)
        XCTAssertFalse((json["error"] as? String ?? "").isEmpty, what, file: file, line: line)
        XCTAssertFalse(result.stdout.contains("Error:"), "\(what): no plain text on stdout", file: file, line: line)
    }

    private func sandboxWithDevices(_ name: String) throws -> Sandbox {
        let sandbox = Sandbox(name)
        XCTAssertEqual(try sandbox.run(["add", "heat", try randomOnionAddress().base32, "--kind", "thermostat"]).code, 0)
        XCTAssertEqual(try sandbox.run(["add", "leds", try randomOnionAddress().base32, "--kind", "pins"]).code, 0)
        return sandbox
    }

    /// `onionctl status --json | head -1` crashed (`try!` … Broken pipe, exit 132) or died of SIGPIPE
    /// (141). Now the output is dropped quietly and the exit code is the command's own.
    func testAClosedPipeEndsQuietlyWithTheCommandsOwnExitCode() throws {
        let sandbox = try sandboxWithDevices("cli-pipe")
        for arguments in [["list", "--json"], ["list"], ["key", "show", "heat", "--json"], ["--help"]] {
            let result = try sandbox.run(arguments, timeout: 60, closedStdout: true)
            let expected: Int32 = arguments.first == "key" ? 2 : 0
            XCTAssertEqual(result.code, expected, "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Broken pipe"), "\(arguments): \(result.stderr)")
        }
        // An error document to a closed pipe: still exit 2 (empty address book), its sentence on stderr.
        let empty = Sandbox("cli-pipe-empty")
        let status = try empty.run(["status", "--json"], timeout: 60, closedStdout: true)
        XCTAssertEqual(status.code, 2, status.stderr)
        XCTAssertTrue(status.stderr.contains("the address book is empty"), status.stderr)
        XCTAssertFalse(status.stderr.contains("Fatal error"), status.stderr)
    }

    /// Usage mistakes are invalid input (2, kind `usage`), also under `--json`, for every command.
    func testUsageMistakesExit2WithOneJSONDocument() throws {
        let sandbox = try sandboxWithDevices("cli-usage")
        let mistakes: [[String]] = [
            ["get", "--json"], ["toggle", "leds", "led", "--json"], ["status", "--json", "--bogus-option"],
            ["status", "--json", "--timeout", "0"], ["get", "heat", "--json", "--timeout", "-1"],
            ["set", "--json"], ["pins", "--json"], ["add", "x", "--json"], ["rename", "heat", "--json"],
            ["remove", "--json"], ["key", "new", "--json"], ["import", "--json"], ["export", "--json"],
            ["fetch", "--json"], ["tor", "bogus", "--json"], ["bogus", "--json"],
        ]
        for arguments in mistakes {
            try assertJSONError(try sandbox.run(arguments, timeout: 60), code: 2, kind: "usage", "\(arguments)")
        }
        let timeout = try sandbox.run(["status", "--timeout", "-1"], timeout: 60)
        XCTAssertEqual(timeout.code, 2)
        XCTAssertTrue(timeout.stderr.contains("--timeout must be a number of seconds above 0"), timeout.stderr)
        let plain = try sandbox.run(["toggle", "leds", "led"], timeout: 60)
        XCTAssertEqual(plain.code, 2, plain.stderr)
        XCTAssertEqual(plain.stdout, "", "without --json nothing on stdout")
    }

    /// `onionctl bogus` said nothing about commands (it showed the dashboard's usage).
    func testAnUnknownCommandIsNamedWithASuggestion() throws {
        let result = try Sandbox("cli-unknown").run(["stauts"], timeout: 60)
        XCTAssertEqual(result.code, 2)
        XCTAssertTrue(result.stderr.contains("unknown command 'stauts'; did you mean 'status'?"), result.stderr)
    }

    /// An unreadable network file is invalid input (2) for every command that uses the network
    /// (it was 7, 3, 2 or 1 depending on the command), in plain text and under `--json`.
    func testAnUnreadableNetworkFileIsTheSameOutcomeForEveryCommand() throws {
        let sandbox = try sandboxWithDevices("cli-network")
        let onion = try randomOnionAddress().base32
        let commands: [[String]] = [
            ["status"], ["get", "heat"], ["set", "heat", "setpoint", "20"], ["pins", "leds"], ["toggle", "leds", "0"],
            ["fetch", "http://\(onion).onion/"], ["tor", "bootstrap"],
        ]
        for command in commands {
            let arguments = command + ["--network", "/nonexistent/network"]
            let plain = try sandbox.run(arguments, timeout: 60)
            XCTAssertEqual(plain.code, 2, "\(command): \(plain.stderr)")
            XCTAssertTrue(plain.stderr.contains("/nonexistent/network"), "\(command): \(plain.stderr)")
            try assertJSONError(try sandbox.run(arguments + ["--json"], timeout: 60), code: 2, kind: "invalid-input", "\(command)")
        }
    }

    /// Without a terminal to ask on and without `--yes`, removal is refused as one JSON document.
    func testRemovalWithoutATerminalOrYesIsRefusedAsOneJSONDocument() throws {
        let sandbox = try sandboxWithDevices("cli-confirm")
        try assertJSONError(try sandbox.run(["remove", "heat", "--json"], timeout: 60), code: 2, kind: "invalid-input", "remove")
    }

    /// Issue 20 item 7: one schema. Every document is pretty-printed and names a device `name`
    /// (`key show` and `import` said `device`, `rename` said `old`/`new`).
    func testEveryDocumentIsPrettyAndNamesTheDeviceName() throws {
        let sandbox = Sandbox("cli-schema")
        let address = try randomOnionAddress().base32
        let exported = sandbox.root.appendingPathComponent("door.auth_private").path
        let steps: [[String]] = [
            ["add", "door", address, "--json"], ["list", "--json"], ["key", "new", "door", "--json"],
            ["key", "show", "door", "--json"], ["export", "door", "--output", exported, "--json"],
            ["import", exported, "--json"], ["rename", "door", "front", "--json"], ["key", "remove", "front", "--yes", "--json"],
        ]
        for arguments in steps {
            let result = try sandbox.run(arguments, timeout: 60)
            XCTAssertEqual(result.code, 0, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("\n  \"") || result.stdout.contains("\n    \""), "\(arguments) is not pretty-printed: \(result.stdout)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let first = try XCTUnwrap((object as? [String: Any]) ?? (object as? [[String: Any]])?.first, "\(arguments): \(result.stdout)")
            XCTAssertNotNil(first["name"] as? String, "\(arguments) does not name the device `name`: \(result.stdout)")
            XCTAssertNil(first["device"], "\(arguments)")
        }
    }

    /// Issue 20 item 12: answering "n" at a removal question exited 1; declining is not a failure.
    /// `script` gives onionctl the terminal it asks on.
    func testAnsweringNoAtAQuestionExits0AndKeepsTheDevice() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) is not installed") }
        let sandbox = try sandboxWithDevices("cli-answer-no")
        let binary = try onionctlBinary()
        let result = try runBounded("/bin/sh", ["-c", "(sleep 1; echo n) | /usr/bin/script -qec \"'\(binary)' remove heat\" /dev/null"],
                                    environment: sandbox.environment, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("kept heat"), result.stdout)
        XCTAssertTrue(try sandbox.run(["list"], timeout: 60).stdout.contains("heat"), "the device is still there")
    }
}
