import Synchronization
import TorClient
#if canImport(Glibc)
import Glibc
#endif

/// Where the proxy listens: a numeric IPv4 or IPv6 address (or `localhost`) and a port.
struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    var host: String
    var port: UInt16

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `PORT` (on 127.0.0.1).
    init(_ text: String) throws {
        var host = "127.0.0.1", portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(after: close)...].drop { $0 == ":" }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = UInt16(portText) else { throw CLIError.usage("bad --listen \(text): use HOST:PORT, e.g. 127.0.0.1:9150") }
        guard Self.isIPv4(host) || Self.isIPv6(host) else {
            throw CLIError.usage("bad --listen \(text): the host must be a numeric IP address (or localhost)")
        }
        self.host = host
        self.port = port
    }

    var isIPv6: Bool { Self.isIPv6(host) }

    /// 127.0.0.0/8 or ::1 (and ::ffff:127.x.y.z).
    var isLoopback: Bool {
        if isIPv6 {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { $0[0] } == 127
    }

    var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func isIPv4(_ host: String) -> Bool { var a = in_addr(); return inet_pton(AF_INET, host, &a) == 1 }
    private static func isIPv6(_ host: String) -> Bool { var a = in6_addr(); return inet_pton(AF_INET6, host, &a) == 1 }
}

/// The proxy's port cannot be bound (in use, not a local address, not permitted).
struct ProxyListenError: Error, CustomStringConvertible {
    var listen: ListenAddress
    /// The system's reason ("Address already in use").
    var reason: String

    var description: String { "cannot listen on \(listen): \(reason)" }
}

/// The SOCKS listener: accepts clients on a poller, serves each in a task of its own (at most
/// `maxConnections` at once: more are closed at once), and stops on ``stop()``.
final class SOCKSServer: Sendable {
    let listen: ListenAddress
    let maxConnections: Int
    private let client: TorClient
    private let settings: SOCKSSettings
    private let log: @Sendable (String) -> Void
    private let poller = FDPoller()
    private let listenFD = Mutex<Int32>(-1)
    private let connections = Atomic<Int>(0)
    private let streams = Atomic<Int>(0)
    private let streamsOpened = Atomic<Int>(0)

    init(listen: ListenAddress, client: TorClient, settings: SOCKSSettings, maxConnections: Int = 64,
         log: @escaping @Sendable (String) -> Void) {
        self.listen = listen
        self.client = client
        self.settings = settings
        self.maxConnections = maxConnections
        self.log = log
    }

    /// Streams open through the proxy now.
    var openStreams: Int { streams.load(ordering: .relaxed) }
    /// Streams opened through the proxy since it started.
    var totalStreams: Int { streamsOpened.load(ordering: .relaxed) }
    /// Client connections being served now.
    var openConnections: Int { connections.load(ordering: .relaxed) }

    /// Binds and listens; returns the bound port (useful with port 0).
    func bind() throws -> UInt16 {
        let family = listen.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw CLIError.usage("cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length: socklen_t
        if listen.isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = listen.port.bigEndian
            inet_pton(AF_INET6, listen.host, &address.sin6_addr)
            withUnsafeBytes(of: &address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = listen.port.bigEndian
            inet_pton(AF_INET, listen.host, &address.sin_addr)
            withUnsafeBytes(of: &address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) } }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ProxyListenError(listen: listen, reason: message)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) } }
        let port = withUnsafeBytes(of: &actual) { UInt16($0[2]) << 8 | UInt16($0[3]) }  // sin_port / sin6_port
        listenFD.withLock { $0 = fd }
        return port
    }

    /// Accepts and serves clients until ``stop()`` (or the task is cancelled); returns once every
    /// connection has ended.
    func run() async {
        guard let fd = listenFD.withLock({ $0 >= 0 ? $0 : nil }) else { return }
        await withDiscardingTaskGroup { group in
            while true {
                guard await poller.wait(fd, for: Int16(POLLIN)) == .ready else { break }
                while true {
                    let accepted = accept(fd, nil, nil)
                    if accepted < 0 {
                        if errno == EMFILE || errno == ENFILE { log("out of file descriptors; waiting"); usleep(100_000) }
                        break
                    }
                    _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
                    let peer = "client \(Self.peerPort(accepted))"
                    guard connections.add(1, ordering: .relaxed).newValue <= maxConnections else {
                        connections.subtract(1, ordering: .relaxed)
                        log("\(peer): refused: \(maxConnections) connections are open already")
                        close(accepted)
                        continue
                    }
                    let session = SOCKSSession(
                        socket: ClientSocket(fd: accepted, poller: poller), client: client, settings: settings, log: log,
                        streamOpened: { [self] in
                            streams.add(1, ordering: .relaxed)
                            streamsOpened.add(1, ordering: .relaxed)
                        },
                        streamClosed: { [self] in streams.subtract(1, ordering: .relaxed) })
                    group.addTask { [self] in
                        await session.run(peer: peer)
                        connections.subtract(1, ordering: .relaxed)
                    }
                }
            }
            group.cancelAll()
        }
        listenFD.withLock { fd in if fd >= 0 { close(fd); fd = -1 } }
        poller.stop()
    }

    /// Stops accepting and ends every connection (their streams closed); ``run()`` then returns.
    func stop() { poller.stop() }

    /// The client's port, to tell connections apart in the log.
    private static func peerPort(_ fd: Int32) -> String {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) } }
        return String(withUnsafeBytes(of: &address) { UInt16($0[2]) << 8 | UInt16($0[3]) })
    }
}
