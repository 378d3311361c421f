import Foundation
import XCTest

/// The real ncurses layer, end to end: `onionctl-ui-demo` (the dashboard on FakeDashboardBackend)
/// in a detached tmux session. Every wait is bounded.
final class TmuxSmokeTests: XCTestCase {
    var session: TmuxSession?

    override func tearDown() {
        session?.kill()
        session = nil
    }

    /// The demo binary next to the test bundle (built by `swift build --build-tests`).
    func demoBinary() throws -> String {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed") }
        var dir = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dir = bundle.bundleURL.deletingLastPathComponent()
        }
        let candidates = [dir.appendingPathComponent("onionctl-ui-demo").path,
                          Bundle.main.bundleURL.appendingPathComponent("onionctl-ui-demo").path,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                              .appendingPathComponent("onionctl-ui-demo").path]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("onionctl-ui-demo not built (run swift build --build-tests); looked in \(candidates)")
        }
        return path
    }

    /// Starts the demo; the shell prints a marker with the exit status when it ends and keeps the pane.
    func start(env: String = "LANG=C.UTF-8 TERM=tmux-256color", arguments: String = "--confirm-after 0",
               width: Int = 80, height: Int = 24) throws -> TmuxSession {
        let command = "env -u NO_COLOR \(env) '\(try demoBinary())' \(arguments); echo \"onionctl-exited-$?\"; sleep 60"
        let s = try TmuxSession.start(command, width: width, height: height)
        session = s
        return s
    }

    func testKeysPendingResizeAndQuitRestoresTheTerminal() throws {
        let s = try start()
        var (ok, screen) = try s.waitFor { $0.contains("living-room") && $0.contains("garage") }
        XCTAssertTrue(ok, "dashboard did not appear:\n\(screen)")
        XCTAssertEqual(try s.display("#{alternate_on}"), "1")

        try s.sendKeys("Enter")
        (ok, screen) = try s.waitFor { $0.contains("Setpoint") }
        XCTAssertTrue(ok, screen)
        try s.sendKeys("+")
        try s.sendKeys("+")
        (ok, screen) = try s.waitFor { $0.contains("22.0 °C pending") }
        XCTAssertTrue(ok, "pending setpoint not shown:\n\(screen)")

        try s.resize(width: 132, height: 43)
        (ok, screen) = try s.waitFor { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 43 && lines.contains { $0.hasPrefix("┌") && $0.count == 132 }
        }
        XCTAssertTrue(ok, "layout did not adapt to 132×43:\n\(screen)")
        try s.resize(width: 60, height: 20)
        (ok, screen) = try s.waitFor { $0.contains("Terminal too small") }
        XCTAssertTrue(ok, screen)
        try s.resize(width: 80, height: 24)
        (ok, screen) = try s.waitFor { $0.contains("22.0 °C pending") }
        XCTAssertTrue(ok, screen)

        try s.sendKeys("q")
        (ok, screen) = try s.waitFor(timeout: 5) { $0.contains("onionctl-exited-0") }
        XCTAssertTrue(ok, "q did not quit:\n\(screen)")
        XCTAssertEqual(try s.display("#{alternate_on} #{cursor_flag}"), "0 1")  // alternate screen off, cursor on
        XCTAssertFalse(screen.contains("living-room"), "the dashboard is still on the normal screen")
    }

    func testCtrlCRestoresTheTerminal() throws {
        let s = try start()
        var (ok, screen) = try s.waitFor { $0.contains("living-room") }
        XCTAssertTrue(ok, screen)
        try s.sendKeys("C-c")
        (ok, screen) = try s.waitFor(timeout: 5) { $0.contains("onionctl-exited-0") }
        XCTAssertTrue(ok, "Ctrl-C did not end the dashboard cleanly:\n\(screen)")
        XCTAssertEqual(try s.display("#{alternate_on} #{cursor_flag}"), "0 1")
    }

    func testASCIIFallbackOnVT100() throws {
        let s = try start(env: "LANG=C TERM=vt100")
        let (ok, screen) = try s.waitFor { $0.contains("living-room") && $0.contains("+-") }
        XCTAssertTrue(ok, screen)
        XCTAssertFalse(screen.contains("─"), screen)
        try s.sendKeys("q")
        XCTAssertTrue(try s.waitFor(timeout: 5) { $0.contains("onionctl-exited-0") }.0)
    }

    func testColoursFollowTermAndNoColor() throws {
        for (env, expectColour) in [("LANG=C.UTF-8 TERM=tmux-256color", true),
                                    ("LANG=C.UTF-8 TERM=tmux-256color NO_COLOR=1", false)] {
            let s = try start(env: env)
            let (ok, screen) = try s.waitFor { $0.contains("living-room") }
            XCTAssertTrue(ok, screen)
            let escapes = try s.captureWithEscapes()
            XCTAssertEqual(escapes.contains("38;5;"), expectColour, "\(env): \(escapes.prefix(300))")
            if !expectColour { XCTAssertTrue(escapes.contains("\u{1b}[7m") || escapes.contains(";7m"), "\(env): selection not reverse") }
            s.kill()
        }
    }

    func testUnknownTermIsExplained() throws {
        let s = try start(env: "LANG=C.UTF-8 TERM=no-such-terminal")
        let (ok, screen) = try s.waitFor(timeout: 5) { $0.contains("onionctl-exited-1") }
        XCTAssertTrue(ok, screen)
        XCTAssertTrue(screen.contains("no entry for TERM"), screen)
    }
}
