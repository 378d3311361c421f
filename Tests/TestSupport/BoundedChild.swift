import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A long-running program (a server) started for a test, with a bounded lifetime: the test stops
/// it with ``stop(timeout:)``; if the test never does, a watchdog sends SIGTERM to its process
/// group after `lifetime` seconds and SIGKILL 5 s later. Started with `posix_spawn` in a process
/// group of its own, output to files, no inherited descriptor but the standard three (as
/// ``runBounded(_:_:environment:timeout:)``).
public final class BoundedChild: @unchecked Sendable {
    public let pid: pid_t
    private let scratch: URL
    private let lock = NSLock()
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                lifetime: TimeInterval) throws {
        let fm = FileManager.default
        scratch = fm.temporaryDirectory.appendingPathComponent("onionctl-child-\(UUID().uuidString)")
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch.appendingPathComponent("out").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, scratch.appendingPathComponent("err").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)
        let pid = try spawnInOwnProcessGroup(executable, arguments, environment: environment, actions: &actions)
        self.pid = pid
        let watchdog = Thread { [weak self] in
            let started = Date()
            while Date().timeIntervalSince(started) < lifetime {
                guard let self, self.reap() == nil else { return }
                usleep(100_000)
            }
            self?.stop(timeout: 5)
        }
        watchdog.start()
    }

    /// The exit status once the program ended (128 + signal if killed), `nil` while it runs.
    @discardableResult
    public func reap() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    public var stdout: String { (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)) ?? "" }

    /// Waits (at most `timeout` s) until stdout contains `text`; false if it ended or time ran out.
    public func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            if stdout.contains(text) { return true }
            if reap() != nil { return stdout.contains(text) }
            usleep(50_000)
        }
        return false
    }

    /// SIGTERM to its process group, SIGKILL after `timeout` s; returns its exit status.
    @discardableResult
    public func stop(timeout: TimeInterval = 30) -> Int32 {
        if let status = reap() { return status }
        kill(-pid, SIGTERM)
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            if let status = reap() { return status }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)
        while true {
            if let status = reap() { return status }
            usleep(20_000)
        }
    }

    deinit {
        stop(timeout: 5)
        try? FileManager.default.removeItem(at: scratch)
    }
}
