import Foundation
import XCTest

/// Command-line behaviour that needs no network.
final class CLITests: XCTestCase {
    func testCompletionScriptsAreGeneratedForEveryShell() throws {
        let sandbox = Sandbox("cli-completion")
        for shell in ["bash", "zsh", "fish"] {
            let result = try sandbox.run(["--generate-completion-script", shell])
            XCTAssertEqual(result.code, 0, shell)
            for command in ["status", "toggle", "import", "export", "key"] {
                XCTAssertTrue(result.stdout.contains(command), "\(shell) completion lacks \(command)")
            }
        }
    }

    func testInputMistakesHaveTheirExitCodes() throws {
        let sandbox = Sandbox("cli-exit")
        // A mistyped address: the checksum catches it.
        let address = try randomOnionAddress().base32
        var typo = Array(address)
        typo[10] = typo[10] == "a" ? "b" : "a"
        let bad = try sandbox.run(["add", "door", String(typo)])
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.stderr.contains("checksum"), bad.stderr)
        XCTAssertEqual(try sandbox.run(["add", "door", address, "--kind", "thermostat"]).code, 0)
        XCTAssertEqual(try sandbox.run(["add", "door", address]).code, 2, "duplicate")
        XCTAssertEqual(try sandbox.run(["rename", "nosuch", "x"]).code, 4)
        XCTAssertEqual(try sandbox.run(["remove", "door"]).code, 2, "no confirmation without a terminal")
        XCTAssertEqual(try sandbox.run(["rename", "door", "front"]).code, 0)
        XCTAssertEqual(try sandbox.run(["remove", "front", "--yes"]).code, 0)
        XCTAssertEqual(try sandbox.run(["get", "front"]).code, 4)
        // A corrupt address book: exit 9, path and line on stderr, file untouched.
        let book = sandbox.bookDirectory.appendingPathComponent("devices.toml")
        try Data("schema = 1\n[devices.x]\nonion = 12\n".utf8).write(to: book)
        let corrupt = try sandbox.run(["add", "y", address])
        XCTAssertEqual(corrupt.code, 9)
        XCTAssertTrue(corrupt.stderr.contains("\(book.path):3:"), corrupt.stderr)
        XCTAssertEqual(try String(contentsOf: book, encoding: .utf8), "schema = 1\n[devices.x]\nonion = 12\n")
    }
}
