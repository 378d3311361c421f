import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// onionctl's stdout and stderr, written with write(2) and never with `FileHandle.write` (whose
/// `try!` crashes the process on a closed pipe).
///
/// A reader that went away (`onionctl status --json | head -1`) is not onionctl's failure: SIGPIPE
/// is ignored (``ignoreBrokenPipes()``), the first EPIPE marks the stream closed, the rest of the
/// output is dropped quietly, and the command ends with the exit code of what it did (0 when it
/// succeeded), whatever the reader took. README.md ("Output") documents this.
enum StandardStreams {
    /// Ignores SIGPIPE for the whole process, so a closed pipe is an EPIPE we handle, never a signal.
    static func ignoreBrokenPipes() { _ = signal(SIGPIPE, SIG_IGN) }

    /// Writes `data` on stdout (dropped once the reader has gone).
    static func out(_ data: Data) { write(data, to: STDOUT_FILENO, closed: stdoutClosed) }
    static func out(_ text: String) { out(Data(text.utf8)) }

    /// Writes `data` on stderr (dropped once the reader has gone).
    static func err(_ data: Data) { write(data, to: STDERR_FILENO, closed: stderrClosed) }
    static func err(_ text: String) { err(Data(text.utf8)) }

    /// Whether stdout's reader has gone (an EPIPE was seen).
    static var stdoutHasClosed: Bool { stdoutClosed.value }

    private static let stdoutClosed = ClosedFlag()
    private static let stderrClosed = ClosedFlag()

    private static func write(_ data: Data, to descriptor: Int32, closed: ClosedFlag) {
        guard !data.isEmpty, !closed.value else { return }
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = Glibc.write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    // EPIPE (reader gone) or any other write error: nothing more can be shown there.
                    closed.set()
                    return
                }
                remaining -= written
                pointer += written
            }
        }
    }
}

/// A set-once flag shared between tasks.
private final class ClosedFlag: @unchecked Sendable {
    private let closed = Mutex(false)
    var value: Bool { closed.withLock { $0 } }
    func set() { closed.withLock { $0 = true } }
}
