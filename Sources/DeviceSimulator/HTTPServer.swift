import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen; port 0 picks an ephemeral port (see `HTTPServer.port`).
    public var address: LoopbackAddress
    public var quirks: HTTPQuirks
    /// Minimum time between two accepted connections. Minitor quirks default: 3 s.
    public var acceptInterval: TimeInterval
    /// Close a connection idle this long. In Minitor mode, close this long after the response.
    public var idleTimeout: TimeInterval
    public var limits: HTTPParserLimits
    /// Connections served at once; further ones are closed immediately.
    public var maxConnections: Int
    /// Value of the `Server` header (not sent in Minitor mode).
    public var serverName: String

    public init(address: LoopbackAddress, quirks: HTTPQuirks = .none, acceptInterval: TimeInterval? = nil,
                idleTimeout: TimeInterval? = nil, limits: HTTPParserLimits = HTTPParserLimits(),
                maxConnections: Int = 64, serverName: String = "onion-device") {
        self.address = address
        self.quirks = quirks
        self.acceptInterval = acceptInterval ?? (quirks == .minitor ? 3 : 0)
        self.idleTimeout = idleTimeout ?? (quirks == .minitor ? 5 : 30)
        self.limits = limits
        self.maxConnections = maxConnections
        self.serverName = serverName
    }
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ action: String, _ address: LoopbackAddress, errno code: Int32) {
        description = "Could not \(action) \(address): \(String(cString: strerror(code)))."
    }
}

/// A small HTTP/1.1 server on POSIX sockets: one accept thread, one thread per connection,
/// keep-alive and pipelining, bounded header and body sizes, and the Minitor quirks on request.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let state = Locked(ServerState())
    private let acceptDone = DispatchSemaphore(value: 0)

    private struct ServerState {
        var listenFD: Int32 = -1
        var running = false
        var port: UInt16 = 0
        var connections: Set<Int32> = []
    }

    /// Creates a server that answers every request with `handler` (called from many threads).
    public init(configuration: HTTPServerConfiguration, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The bound port, once started.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Binds, listens and starts accepting; returns the bound port.
    @discardableResult
    public func start() throws -> UInt16 {
        let address = configuration.address
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPServerError("create a socket for", address, errno: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var bindResult: Int32
        if address.isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = address.port.bigEndian
            inet_pton(AF_INET6, address.host, &sa.sin6_addr)
            bindResult = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = address.port.bigEndian
            inet_pton(AF_INET, address.host, &sa.sin_addr)
            bindResult = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard bindResult == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError("bind", address, errno: code)
        }
        guard listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError("listen on", address, errno: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let boundPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
            address.isIPv6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        state.withLock {
            $0.listenFD = fd
            $0.running = true
            $0.port = boundPort
        }
        let thread = Thread { [self] in acceptLoop(listenFD: fd) }
        thread.name = "onion-device accept"
        thread.start()
        return boundPort
    }

    /// Stops accepting, shuts down open connections and waits (briefly) for the accept loop.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            let was = state.running
            state.running = false
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
            return was
        }
        if wasRunning { _ = acceptDone.wait(timeout: .now() + 2) }
    }

    private var isRunning: Bool { state.withLock { $0.running } }

    private func acceptLoop(listenFD: Int32) {
        defer {
            close(listenFD)
            acceptDone.signal()
        }
        var lastAccept: Date? = nil
        while isRunning {
            // Minitor quirk: a new connection waits until the interval since the last one has passed.
            if let last = lastAccept, configuration.acceptInterval > 0 {
                let wait = configuration.acceptInterval - Date().timeIntervalSince(last)
                if wait > 0 {
                    usleep(useconds_t(min(wait, 0.1) * 1_000_000))
                    continue
                }
            }
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready <= 0 { continue }
            let client = accept(listenFD, nil, nil)
            if client < 0 { continue }
            let admitted = state.withLock { state -> Bool in
                guard state.running, state.connections.count < configuration.maxConnections else { return false }
                state.connections.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                continue
            }
            lastAccept = Date()
            configureClientSocket(client)
            let thread = Thread { [self] in serve(client) }
            thread.name = "onion-device connection"
            thread.start()
        }
    }

    private func configureClientSocket(_ fd: Int32) {
        // A write may wait while the client has paused the stream (congestion control's XOFF: C tor
        // then stops reading from this socket until XON); a web server gives a slow client tens of
        // seconds (nginx's send_timeout: 60 s), not 5.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Serves one connection until the peer closes, an error, idle timeout or stop.
    private func serve(_ fd: Int32) {
        var graceful = false
        defer {
            if graceful { lingeringClose(fd) }
            state.withLock { state in
                state.connections.remove(fd)
                close(fd)
            }
        }
        var parser = HTTPRequestParser(limits: configuration.limits)
        var lastActivity = Date()
        var answeredOnce = false // Minitor mode: later requests on this connection are ignored.
        var buffer = [UInt8](repeating: 0, count: 4096)
        while isRunning {
            if !answeredOnce {
                do {
                    while let request = try parser.nextRequest() {
                        let response = handler(request)
                        let keepAlive = configuration.quirks == .minitor || (request.wantsKeepAlive && !response.failsConnection)
                        let bytes = HTTPResponseWriter.serialize(response, quirks: configuration.quirks,
                                                                 keepAlive: keepAlive, serverName: configuration.serverName)
                        guard sendAll(fd, bytes) else { return }
                        lastActivity = Date()
                        if configuration.quirks == .minitor {
                            if response.failsConnection { graceful = true; return }
                            answeredOnce = true
                            break
                        }
                        if !keepAlive { graceful = true; return }
                    }
                } catch {
                    let response = HTTPResponse.text(error.status, error.description + "\n")
                    _ = sendAll(fd, HTTPResponseWriter.serialize(response, quirks: configuration.quirks,
                                                                 keepAlive: false, serverName: configuration.serverName))
                    graceful = true
                    return
                }
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready == 0 {
                if Date().timeIntervalSince(lastActivity) >= configuration.idleTimeout { return }
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return } // EOF from the peer, or an error
            if answeredOnce { continue } // Minitor: bytes after the first request are dropped.
            lastActivity = Date()
            parser.append(buffer[0..<count])
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Half-closes, then drains what the peer still sends (bounded to about 1 s) so the kernel
    /// does not answer unread data with a reset that could destroy the response in flight.
    private func lingeringClose(_ fd: Int32) {
        shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 1024)
        for _ in 0..<10 {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            if recv(fd, &scratch, scratch.count, 0) <= 0 { return }
        }
    }
}
