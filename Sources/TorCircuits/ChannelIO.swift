import FoundationEssentials
import Synchronization
import TorCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The I/O thread of one channel: owns the socket and the TLS session, delivers received
/// bytes through `onReceive`, and writes whatever `send` queued. All OpenSSL calls for the
/// session happen on this thread.
final class ChannelIO: @unchecked Sendable {
    private let fd: Int32
    private let tls: TLSClientSession
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let outbound = Mutex<(bytes: [UInt8], closing: Bool)>(([], false))
    private let onReceive: @Sendable (UnsafeRawBufferPointer) -> Void
    private let onClose: @Sendable (String) -> Void

    /// Connects TCP and completes TLS, blocking the calling thread at most `timeout` seconds.
    /// Call from a context that may block (a detached task or a thread).
    static func open(to address: RelayAddress, timeout: TimeInterval) throws -> (fd: Int32, tls: TLSClientSession) {
        _ = ignoreBrokenPipes
        let fd = try Socket.connect(to: address, timeout: timeout)
        do {
            let tls = try TLSClientSession(socket: fd, serverName: "www.\(randomLabel()).com")
            let deadline = Date().addingTimeInterval(timeout)
            handshake: while true {
                let remaining = deadline.timeIntervalSinceNow
                switch try tls.handshake() {
                case .done: break handshake
                case .wantRead:
                    guard remaining > 0, Socket.wait(fd, events: Int16(POLLIN), timeout: remaining) else {
                        throw ChannelError.timedOut("in the TLS handshake with \(address)")
                    }
                case .wantWrite:
                    guard remaining > 0, Socket.wait(fd, events: Int16(POLLOUT), timeout: remaining) else {
                        throw ChannelError.timedOut("in the TLS handshake with \(address)")
                    }
                case .closed: throw ChannelError.tls("\(address) closed the connection during the TLS handshake")
                }
            }
            return (fd, tls)
        } catch let error as CryptoError {
            Glibc.close(fd)
            throw ChannelError.tls("\(address): \(error)")
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// A peer that closes while we write must cost an error, not the process: OpenSSL writes with
    /// plain write(2), so SIGPIPE is ignored process-wide (as C tor does).
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private static func randomLabel() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz234567")
        return String(SecureRandom.bytes(10).map { letters[Int($0) % letters.count] })
    }

    init(fd: Int32, tls: TLSClientSession,
         onReceive: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
         onClose: @escaping @Sendable (String) -> Void) {
        self.fd = fd
        self.tls = tls
        var pipeFDs: [Int32] = [-1, -1]
        _ = pipe(&pipeFDs)
        Socket.setNonBlocking(pipeFDs[0])
        Socket.setNonBlocking(pipeFDs[1])
        self.wakeFD = pipeFDs[0]
        self.wakeWriteFD = pipeFDs[1]
        self.onReceive = onReceive
        self.onClose = onClose
    }

    /// Starts the I/O thread.
    /// - Throws: ``ThreadStartError`` if the system has no thread to give.
    /// Without a thread, the socket and pipe are released at once.
    func start(name: String) throws(ThreadStartError) {
        do { try startDetachedThread(name: "channel \(name)") { [self] in run() } } catch {
            release("no I/O thread: \(error)")
            throw error
        }
    }

    /// Queues bytes for sending; never blocks on the network.
    func send(_ bytes: [UInt8]) {
        outbound.withLock { $0.bytes.append(contentsOf: bytes) }
        wake()
    }

    /// Asks the I/O thread to flush and close.
    func close() {
        outbound.withLock { $0.closing = true }
        wake()
    }

    private func wake() {
        var one: UInt8 = 1
        _ = Glibc.write(wakeWriteFD, &one, 1)
    }

    private func run() {
        var pending = [UInt8]()
        // One TLS record at most per read (16 KiB of plaintext): a larger buffer is never filled.
        var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
        var reason = "closed by us"
        var writeBlockedOnRead = false
        loop: while true {
            // Takes the queued bytes (no copy; an empty queue costs no allocation: keeping the
            // capacity of an array still referenced here would allocate a new buffer every turn).
            let (more, closing) = outbound.withLock { state -> ([UInt8], Bool) in
                guard !state.bytes.isEmpty else { return ([], state.closing) }
                var taken: [UInt8] = []
                swap(&taken, &state.bytes)
                return (taken, state.closing)
            }
            pending.append(contentsOf: more)
            // Write what we can.
            var wantPollOut = false
            writeBlockedOnRead = false
            while !pending.isEmpty {
                let progress: TLSClientSession.Progress
                do {
                    progress = try pending.withUnsafeBytes { try tls.write($0) }
                } catch {
                    reason = "TLS write failed: \(error)"
                    break loop
                }
                switch progress {
                case let .done(count): pending.removeFirst(count)
                case .wantWrite: wantPollOut = true
                case .wantRead: writeBlockedOnRead = true
                case .closed: reason = "the relay closed the connection"; break loop
                }
                if wantPollOut || writeBlockedOnRead { break }
            }
            if closing && pending.isEmpty { tls.shutdown(); break loop }
            // Read everything available.
            var readMore = true
            while readMore {
                let progress: TLSClientSession.Progress
                do {
                    progress = try readBuffer.withUnsafeMutableBytes { try tls.read(into: $0) }
                } catch {
                    reason = "TLS read failed: \(error)"
                    break loop
                }
                switch progress {
                case let .done(count):
                    readBuffer.withUnsafeBytes { onReceive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                case .wantRead: readMore = false
                case .wantWrite: readMore = false; wantPollOut = true
                case .closed: reason = "the relay closed the connection"; break loop
                }
            }
            if writeBlockedOnRead && !pending.isEmpty { continue }
            var descriptors = [
                pollfd(fd: fd, events: Int16(POLLIN) | (wantPollOut ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let result = poll(&descriptors, 2, 60_000)
            if result < 0 && errno != EINTR { reason = "poll failed: \(String(cString: strerror(errno)))"; break }
            if descriptors[1].revents & Int16(POLLIN) != 0 {
                var drain = [UInt8](repeating: 0, count: 256)
                _ = Glibc.read(wakeFD, &drain, 256)
            }
            if descriptors[0].revents & (Int16(POLLERR) | Int16(POLLNVAL)) != 0 {
                reason = "the connection failed"
                break
            }
        }
        release(reason)
    }

    /// Closes the socket and the wake-up pipe and reports the channel closed.
    private func release(_ reason: String) {
        Glibc.close(fd)
        Glibc.close(wakeFD)
        Glibc.close(wakeWriteFD)
        onClose(reason)
    }
}
