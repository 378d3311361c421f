import Foundation
import TestSupport

/// Drives a program in a detached tmux session: send keys, read the screen, wait (bounded) for text.
struct TmuxSession {
    let name: String

    /// Runs `tmux` with `arguments`; returns stdout.
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        try runBounded("/usr/bin/env", ["tmux", "-L", socketName] + arguments, timeout: 30).stdout
    }

    /// A tmux server of the test process's own (never the user's): it starts with the first
    /// session and exits when the last one is killed.
    static let socketName = "onionctl-tests-\(getpid())"

    static var isAvailable: Bool {
        (try? tmux(["-V"]))?.hasPrefix("tmux") ?? false
    }

    /// Starts `command` in a new detached session of `width`×`height`. The command runs in a shell,
    /// so the pane stays after it exits when it ends with e.g. `; sleep 60`.
    static func start(_ command: String, width: Int, height: Int) throws -> TmuxSession {
        let name = "onionctl-ui-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", command])
        return TmuxSession(name: name)
    }

    func sendKeys(_ keys: String...) throws { try Self.tmux(["send-keys", "-t", name] + keys) }
    func sendLiteral(_ text: String) throws { try Self.tmux(["send-keys", "-t", name, "-l", text]) }
    func capture() throws -> String { try Self.tmux(["capture-pane", "-p", "-t", name]) }
    /// The screen with colour and attribute escape sequences.
    func captureWithEscapes() throws -> String { try Self.tmux(["capture-pane", "-p", "-e", "-t", name]) }
    func resize(width: Int, height: Int) throws {
        try Self.tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }
    /// tmux format variables, e.g. `#{alternate_on}`.
    func display(_ format: String) throws -> String {
        try Self.tmux(["display", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func kill() { _ = try? Self.tmux(["kill-session", "-t", name]) }

    /// Polls the screen every 100 ms until `condition` holds or `timeout` passes; returns the last screen.
    @discardableResult
    func waitFor(timeout: TimeInterval = 10, _ condition: (String) -> Bool) throws -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        repeat {
            screen = try capture()
            if condition(screen) { return (true, screen) }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return (false, screen)
    }
}
