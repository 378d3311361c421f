import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a program run by ``runBounded(_:_:environment:timeout:)`` did.
public struct BoundedRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
}

/// Why ``runBounded(_:_:environment:timeout:)`` could not start a program.
public struct SpawnError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs a program with a hard time limit: SIGTERM to its process group when `timeout` passes,
/// SIGKILL 5 s later.
///
/// The program is started with `posix_spawn` and reaped with `waitpid`, its output goes to files,
/// and it inherits no descriptor but its standard three. Foundation's `Process` is not used on
/// purpose: it learns that a child ended from the end of file on a socket the child inherits, so a
/// daemon the child forks (the server a first `tmux new-session` starts) keeps `isRunning` true,
/// and `waitUntilExit` blocks, for as long as the daemon lives.
///
/// With `closedStdout`, its stdout is a pipe whose reader has already gone (as in `… | head -1`
/// once head has exited): every write to it fails with EPIPE (or raises SIGPIPE); `stdout` is empty.
public func runBounded(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       timeout: TimeInterval, closedStdout: Bool = false) throws -> BoundedRun {
    let fm = FileManager.default
    let scratch = fm.temporaryDirectory.appendingPathComponent("onionctl-run-\(UUID().uuidString)")
    try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: scratch) }
    let outPath = scratch.appendingPathComponent("out").path, errPath = scratch.appendingPathComponent("err").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var pipeEnds: [Int32] = [-1, -1]
    if closedStdout {
        guard pipe(&pipeEnds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        close(pipeEnds[0])
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    }
    defer { if pipeEnds[1] >= 0 { close(pipeEnds[1]) } }
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    closeInheritedDescriptors(&actions)
    let pid = try spawnInOwnProcessGroup(executable, arguments, environment: environment, actions: &actions)

    let start = Date()
    var timedOut = false
    var terminatedAt: Date?
    var status: Int32 = 0
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR { throw SpawnError(description: "waitpid(\(pid)): \(String(cString: strerror(errno)))") }
        let now = Date()
        if let terminatedAt {
            if now.timeIntervalSince(terminatedAt) > 5 { kill(-pid, SIGKILL) }
        } else if now.timeIntervalSince(start) > timeout {
            timedOut = true
            kill(-pid, SIGTERM)
            terminatedAt = now
        }
        usleep(10_000)
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros: decode the wait status by hand.
    let signal = status & 0x7f
    let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
    return BoundedRun(status: exitStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                      timedOut: timedOut)
}

/// Adds "close every descriptor from 3 up" to `actions` (glibc 2.34's
/// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time because the Glibc module does
/// not declare it), so that a daemon the program starts holds none of the test process's files.
func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}

/// Starts `executable` with `actions` (the caller's descriptors) in a process group of its own, so
/// a timeout reaches what it started too, with default signal handling and nothing blocked.
func spawnInOwnProcessGroup(_ executable: String, _ arguments: [String], environment: [String: String]?,
                            actions: inout posix_spawn_file_actions_t) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setpgroup(&attributes, 0)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var noneBlocked = sigset_t()
    sigemptyset(&noneBlocked)
    posix_spawnattr_setsigmask(&attributes, &noneBlocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environmentLines.map { strdup($0) } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else { throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
    return pid
}
