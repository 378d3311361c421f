import OnionService
import TorCircuits
import TorClient

/// What every connection of the proxy shares.
struct SOCKSSettings: Sendable {
    /// Time a client has to send its greeting and request.
    var handshakeTimeout: Double = 10
    /// Time to reach the onion service (descriptor, introduction, rendezvous, stream).
    var connectTimeout: Double = 120
    /// Bytes read from a client at once: at most this much is held per direction before the
    /// Tor stream (flow control) or the client's socket (its send buffer) has taken it.
    var relayChunk = 16 * 1024
    var extendedErrors = false
}

/// One client connection: the SOCKS handshake, the stream through Tor, then bytes both ways.
struct SOCKSSession {
    var socket: ClientSocket
    var client: TorClient
    var settings: SOCKSSettings
    var log: @Sendable (String) -> Void
    /// Called once the stream is open, and its counterpart when it ends (the dashboard's count).
    var streamOpened: @Sendable () -> Void = {}
    var streamClosed: @Sendable () -> Void = {}

    /// Serves the connection to its end; never throws (failures are replied and logged).
    func run(peer: String) async {
        defer { socket.close() }
        let deadline = ContinuousClock.now + .milliseconds(Int(settings.handshakeTimeout * 1000))
        let request: SOCKSRequest
        var buffer: [UInt8]
        do {
            guard let (parsed, rest) = try await handshake(until: deadline) else { return }
            (request, buffer) = (parsed, rest)
        } catch is ProxyTimeout {
            log("\(peer): no SOCKS request within \(Int(settings.handshakeTimeout)) s; closed")
            return
        } catch {
            log("\(peer): \(error)")
            return
        }
        let decision: SOCKSPolicy.Decision
        switch SOCKSPolicy.decide(request, extendedErrors: settings.extendedErrors) {
        case let .failure(refusal):
            log("\(peer): refused \(request.target):\(request.port): \(refusal.reason) → \(refusal.reply)")
            try? await reply(refusal.reply, to: request)
            return
        case let .success(chosen): decision = chosen
        }
        let target = "\(decision.address):\(decision.port)"
        log("\(peer): connecting to \(target)")
        let stream: TorStream
        do {
            let client = self.client, seconds = settings.connectTimeout
            stream = try await withTimeout(seconds, error: ProxyTimeout(seconds: seconds)) {
                try await client.connect(to: decision.address, port: decision.port)
            }
        } catch {
            let code = SOCKSPolicy.reply(for: error, extendedErrors: settings.extendedErrors)
            log("\(peer): \(target): \(error) → \(code)")
            try? await reply(code, to: request)
            return
        }
        defer { stream.close() }
        do { try await reply(.succeeded, to: request) } catch { return }
        streamOpened()
        defer { streamClosed() }
        log("\(peer): stream open to \(target)")
        // Bytes the client sent after its request (optimistic data) go first.
        if !buffer.isEmpty {
            do { try await stream.write(buffer) } catch { log("\(peer): \(target): \(error)"); return }
            buffer = []
        }
        let ended = await relay(stream)
        log("\(peer): stream to \(target) closed (\(ended))")
    }

    /// Reads the greeting (SOCKS5) and the request; `nil` when the connection ends or was
    /// malformed (closed without a reply) or got its reply already. Returns bytes read past the request.
    private func handshake(until deadline: ContinuousClock.Instant) async throws -> (SOCKSRequest, [UInt8])? {
        var buffer = [UInt8]()
        func more() async throws -> Bool {
            guard buffer.count < SOCKSCodec.maxHandshakeBytes,
                  let bytes = try await socket.read(limit: SOCKSCodec.maxHandshakeBytes - buffer.count, deadline: deadline)
            else { return false }
            buffer += bytes
            return true
        }
        while buffer.isEmpty { guard try await more() else { return nil } }
        switch SOCKSCodec.version(buffer[...]) {
        case .socks4:
            while true {
                switch SOCKSCodec.parseSOCKS4(buffer[...]) {
                case .incomplete: guard try await more() else { return nil }
                case let .malformed(reason): throw ClientSocket.Closed(detail: "malformed SOCKS4 request (\(reason)); closed")
                case let .complete(request, consumed): return (request, Array(buffer[consumed...]))
                }
            }
        case .socks5:
            var methods: [UInt8] = []
            parsing: while true {
                switch SOCKSCodec.parseGreeting(buffer[...]) {
                case .incomplete: guard try await more() else { return nil }
                case let .malformed(reason): throw ClientSocket.Closed(detail: "malformed SOCKS5 greeting (\(reason)); closed")
                case let .complete(offered, consumed):
                    methods = offered
                    buffer.removeFirst(consumed)
                    break parsing
                }
            }
            let method = SOCKSCodec.chooseMethod(methods)
            try await socket.write(SOCKSCodec.methodSelection(method))
            guard method == SOCKSCodec.noAuthentication else {
                throw ClientSocket.Closed(detail: "the client offers no method without authentication; closed")
            }
            while true {
                switch SOCKSCodec.parseRequest(buffer[...]) {
                case .incomplete: guard try await more() else { return nil }
                case let .malformed(reason): throw ClientSocket.Closed(detail: "malformed SOCKS5 request (\(reason)); closed")
                case let .complete(.failure(problem), _):
                    log("refused a request: \(problem.problem) → \(SOCKSReply.addressTypeNotSupported)")
                    try await socket.write(SOCKSCodec.reply(.addressTypeNotSupported))
                    return nil
                case let .complete(.success(request), consumed): return (request, Array(buffer[consumed...]))
                }
            }
        case nil:
            throw ClientSocket.Closed(detail: "not a SOCKS4 or SOCKS5 client (first byte 0x\(String(buffer[0], radix: 16))); closed")
        }
    }

    private func reply(_ code: SOCKSReply, to request: SOCKSRequest) async throws {
        switch request.version {
        case .socks5: try await socket.write(SOCKSCodec.reply(code))
        case .socks4: try await socket.write(SOCKSCodec.socks4Reply(granted: code == .succeeded))
        }
    }

    /// Bytes both ways until either side ends; each direction holds at most one chunk: it reads
    /// from one side only after the other took the previous bytes (Tor flow control on the
    /// stream, the send buffer on the socket). The first side to end ends both, as C tor does
    /// (a Tor stream has no half-close). Returns which side ended.
    private func relay(_ stream: TorStream) async -> String {
        let socket = self.socket, chunk = settings.relayChunk
        return await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    while let bytes = try await socket.read(limit: chunk) { try await stream.write(bytes) }
                    return "the client closed"
                } catch is CancellationError { return "" } catch { return "\(error)" }
            }
            group.addTask {
                do {
                    while let bytes = try await stream.read() { try await socket.write(bytes) }
                    return "the service closed"
                } catch is CancellationError { return "" } catch { return "\(error)" }
            }
            let first = await group.next() ?? ""
            group.cancelAll()
            stream.close()
            for await _ in group {}
            return first.isEmpty ? "stopped" : first
        }
    }
}
