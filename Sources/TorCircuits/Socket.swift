import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A TCP address a channel connects to.
public struct RelayAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public init(host: String, port: UInt16) { self.host = host; self.port = port }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Thin wrappers over POSIX sockets for the channel I/O thread.
enum Socket {
    /// Opens a non-blocking TCP connection, waiting at most `timeout` seconds.
    static func connect(to address: RelayAddress, timeout: TimeInterval) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &result)
        guard status == 0, let info = result else {
            throw ChannelError.connectFailed(address, "not a numeric address")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ChannelError.connectFailed(address, String(cString: strerror(errno))) }
        setNonBlocking(fd)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        if connected != 0 && errno != EINPROGRESS {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ChannelError.connectFailed(address, message)
        }
        if connected != 0 {
            guard wait(fd, events: Int16(POLLOUT), timeout: timeout) else {
                close(fd)
                throw ChannelError.timedOut("connecting to \(address)")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError != 0 {
                close(fd)
                throw ChannelError.connectFailed(address, String(cString: strerror(socketError)))
            }
        }
        return fd
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Waits for `events` on `fd`; false on timeout.
    static func wait(_ fd: Int32, events: Int16, timeout: TimeInterval) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            let result = poll(&descriptor, 1, Int32(min(remaining * 1000, 1000)))
            if result > 0 { return true }
            if result < 0 && errno != EINTR { return false }
        }
    }
}
