#if canImport(Glibc)
import Glibc
#endif

/// A client's non-blocking TCP socket, read and written through an ``FDPoller``.
final class ClientSocket: Sendable {
    let fd: Int32
    private let poller: FDPoller

    struct Closed: Error, CustomStringConvertible {
        var detail: String
        var description: String { detail }
    }

    init(fd: Int32, poller: FDPoller) {
        self.fd = fd
        self.poller = poller
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Up to `limit` bytes, `nil` at end of file. Throws ``Closed`` on an error, ``ProxyTimeout``
    /// past `deadline`, `CancellationError` when the task is cancelled.
    func read(limit: Int, deadline: ContinuousClock.Instant? = nil) async throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, limit, 0) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 { return nil }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw Closed(detail: String(cString: strerror(errno)))
            }
            try await waitFor(Int16(POLLIN), deadline: deadline)
        }
    }

    /// Writes every byte, waiting while the socket's send buffer is full (back-pressure).
    func write(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 { offset += count; continue }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw Closed(detail: count == 0 ? "the client stopped reading" : String(cString: strerror(errno)))
            }
            try await waitFor(Int16(POLLOUT), deadline: nil)
        }
    }

    private func waitFor(_ events: Int16, deadline: ContinuousClock.Instant?) async throws {
        switch await poller.wait(fd, for: events, until: deadline) {
        case .ready: return
        case .timedOut: throw ProxyTimeout(seconds: 0)
        case .cancelled: throw CancellationError()
        }
    }

    /// Closes the socket; once only (the owner calls it when the connection is over).
    func close() { _ = Glibc.close(fd) }
}
