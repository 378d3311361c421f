import FoundationEssentials
import OnionctlUI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Async readiness waits on non-blocking descriptors: one thread runs `poll(2)` over every
/// descriptor a task waits on, so socket I/O never blocks Swift's cooperative threads (two on a
/// two-core machine). A wait ends when the descriptor is ready, its deadline passes, the waiting
/// task is cancelled, or the poller stops.
final class FDPoller: Sendable {
    enum Outcome: Equatable, Sendable { case ready, timedOut, cancelled }

    private struct Waiter {
        var fd: Int32
        var events: Int16
        var deadline: ContinuousClock.Instant?
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    private let state = Mutex(State())
    /// A pipe whose read end is in every poll: a byte written wakes the thread to look again.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        do { try startPosixThread(name: "onionctl poll") { [self] in loop() } } catch { fatalError("\(error)") }
    }

    /// Waits until `fd` has `events` (POLLIN / POLLOUT), `deadline` passes or the task is cancelled.
    func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant? = nil) async -> Outcome {
        let id = state.withLock { state -> UInt64 in state.nextID += 1; return state.nextID }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let immediate = state.withLock { state -> Outcome? in
                    if state.stopped || Task.isCancelled { return .cancelled }
                    state.waiters[id] = Waiter(fd: fd, events: events, deadline: deadline, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) } else { wake() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    /// Ends every wait (`.cancelled`) and the thread.
    func stop() {
        let waiters = state.withLock { state -> [Waiter] in
            state.stopped = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume(returning: .cancelled) }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    private func loop() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let (snapshot, timeout, stopped) = state.withLock { state -> ([(UInt64, Waiter)], Int32, Bool) in
                let now = ContinuousClock.now
                var timeout: Int32 = 1000
                for waiter in state.waiters.values {
                    if let deadline = waiter.deadline {
                        let milliseconds = max(0, (deadline - now).components.seconds * 1000
                                               + (deadline - now).components.attoseconds / 1_000_000_000_000_000 + 1)
                        timeout = min(timeout, Int32(clamping: milliseconds))
                    }
                }
                return (Array(state.waiters), timeout, state.stopped)
            }
            if stopped { break }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += snapshot.map { pollfd(fd: $0.1.fd, events: $0.1.events, revents: 0) }
            let result = poll(&fds, nfds_t(fds.count), timeout)
            if result < 0 && errno != EINTR { usleep(10_000) }
            if fds[0].revents != 0 { while read(wakeRead, &drain, drain.count) > 0 {} }
            let now = ContinuousClock.now
            var ready: [CheckedContinuation<Outcome, Never>] = []
            var expired: [CheckedContinuation<Outcome, Never>] = []
            state.withLock { state in
                for (index, entry) in snapshot.enumerated() {
                    let revents = result > 0 ? fds[index + 1].revents : 0
                    if revents != 0, let waiter = state.waiters.removeValue(forKey: entry.0) {
                        ready.append(waiter.continuation)
                    } else if let deadline = entry.1.deadline, deadline <= now,
                              let waiter = state.waiters.removeValue(forKey: entry.0) {
                        expired.append(waiter.continuation)
                    }
                }
            }
            for continuation in ready { continuation.resume(returning: .ready) }
            for continuation in expired { continuation.resume(returning: .timedOut) }
        }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }
}
