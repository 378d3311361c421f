import FoundationEssentials
import Synchronization
import TorCrypto
import TorProto

/// Something a circuit received that its owner waits for: handshake replies and relay messages
/// that belong to no stream (e.g. RENDEZVOUS2, INTRODUCE_ACK).
public enum CircuitEvent: Sendable {
    case created([UInt8])
    case extended([UInt8])
    case message(hop: Int, RelayMessage)
}

/// A circuit through one or more relays (plus, for onion services, a virtual hop).
///
/// Inbound cells are handled on the channel's I/O thread under the circuit's lock: decrypted
/// layer by layer, recognized, and routed to streams or to ``events``. Sending encrypts under
/// the same lock, so the order of cryptographic operations matches the order on the wire.
public final class Circuit: @unchecked Sendable, CircuitCellHandler {
    public static let circuitWindowStart = 1000
    public static let circuitWindowIncrement = 100
    public static let streamWindowStart = 500
    public static let streamWindowIncrement = 50

    struct Hop {
        var name: String
        var crypto: RelayCryptoLayer
        var packageWindow = Circuit.circuitWindowStart
        var deliverWindow = Circuit.circuitWindowStart
        var expectedSendmeTags: [[UInt8]] = []
    }

    struct StreamState {
        var hop: Int
        var events: AsyncQueue<StreamEvent>
        var packageWindow = Circuit.streamWindowStart
        var deliverWindow = Circuit.streamWindowStart
        var consumedSinceSendme = 0
        var endedByUs = false
    }

    struct State {
        var id: UInt32 = 0
        var hops: [Hop] = []
        var streams: [UInt16: StreamState] = [:]
        var nextStreamID: UInt16 = UInt16.random(in: 1...UInt16.max)
        var relayEarlyRemaining = 8
        var failure: CircuitError?
        var windowWaiters: [CheckedContinuation<Void, any Error>] = []
        var lastUsed = Date()

        /// Removes and returns the writers waiting for window, to be resumed outside the lock.
        mutating func takeWindowWaiters() -> [CheckedContinuation<Void, any Error>] {
            defer { windowWaiters.removeAll() }
            return windowWaiters
        }
    }

    let channel: Channel
    private let state = Mutex(State())
    /// Handshake replies and non-stream relay messages, in arrival order.
    public let events = AsyncQueue<CircuitEvent>()
    private let random: @Sendable (Int) -> [UInt8] = { SecureRandom.bytes($0) }

    private init(channel: Channel) { self.channel = channel }

    /// The circuit ID on its channel.
    public var id: UInt32 { state.withLock { $0.id } }
    /// Number of hops, counting a virtual onion-service hop.
    public var hopCount: Int { state.withLock { $0.hops.count } }
    /// Names of the hops, first to last.
    public var hopNames: [String] { state.withLock { $0.hops.map(\.name) } }
    /// Whether the circuit can still carry traffic.
    public var isOpen: Bool { state.withLock { $0.failure == nil } }
    /// The reason it closed, if it did.
    public var failure: CircuitError? { state.withLock { $0.failure } }
    /// Number of streams currently open on it.
    public var streamCount: Int { state.withLock { $0.streams.count } }
    public var lastUsed: Date { state.withLock { $0.lastUsed } }

    // MARK: Building

    /// Builds a one-hop circuit with CREATE_FAST (for directory fetches to a relay whose onion key is unknown).
    public static func createFast(on channel: Channel, name: String, timeout: TimeInterval = 15) async throws -> Circuit {
        let circuit = Circuit(channel: channel)
        let id = try circuit.register()
        let handshake = CreateFastHandshake()
        channel.send(Cell(circuitID: id, command: .createFast, payload: handshake.clientMaterial))
        let reply = try await circuit.awaitHandshake(timeout: timeout, what: "waiting for CREATED_FAST from \(name)")
        let material: [UInt8]
        do { material = try handshake.complete(reply: reply) } catch {
            circuit.destroy()
            throw CircuitError.handshake("\(name): \(error)")
        }
        try circuit.appendHop(name: name, keys: HopKeys(tor1Material: material))
        return circuit
    }

    /// Builds a one-hop circuit with CREATE2/ntor to the channel's relay.
    public static func create(on channel: Channel, target: ExtendTarget, timeout: TimeInterval = 15) async throws -> Circuit {
        let circuit = Circuit(channel: channel)
        let id = try circuit.register()
        let handshake = try NtorClientHandshake(relayID: target.rsaIdentity, relayOnionKey: target.ntorOnionKey)
        let body = Create2Body(handshakeType: HandshakeType.ntor, handshakeData: handshake.onionskin).encoded()
        channel.send(Cell(circuitID: id, command: .create2, payload: body))
        let reply = try await circuit.awaitHandshake(timeout: timeout, what: "waiting for CREATED2 from \(target.nickname)")
        do {
            let material = try handshake.complete(reply: try decodeCreated2Body(reply))
            try circuit.appendHop(name: target.nickname, keys: HopKeys(tor1Material: material))
        } catch {
            circuit.destroy()
            throw CircuitError.handshake("\(target.nickname): \(error)")
        }
        return circuit
    }

    /// Extends the circuit by one hop with EXTEND2 (in RELAY_EARLY) and ntor.
    public func extend(to target: ExtendTarget, timeout: TimeInterval = 15) async throws {
        let handshake = try NtorClientHandshake(relayID: target.rsaIdentity, relayOnionKey: target.ntorOnionKey)
        let extend = Extend2Message(linkSpecifiers: target.linkSpecifiers, handshakeType: HandshakeType.ntor,
                                    handshakeData: handshake.onionskin)
        let last = hopCount - 1
        try send(RelayMessage(command: .extend2, data: extend.encoded()), toHop: last, early: true)
        let reply = try await awaitHandshake(timeout: timeout, what: "extending to \(target.nickname)")
        do {
            let material = try handshake.complete(reply: try decodeCreated2Body(reply, what: "EXTENDED2"))
            try appendHop(name: target.nickname, keys: HopKeys(tor1Material: material))
        } catch {
            destroy()
            throw CircuitError.handshake("extending to \(target.nickname): \(error)")
        }
    }

    /// Appends a hop whose keys came from elsewhere (the onion-service virtual hop).
    public func appendHop(name: String, keys: HopKeys) throws {
        let crypto = try RelayCryptoLayer(keys: keys)
        state.withLock { $0.hops.append(Hop(name: name, crypto: crypto)) }
    }

    private func register() throws -> UInt32 {
        let id = try channel.register(self)
        state.withLock { $0.id = id }
        return id
    }

    private func awaitHandshake(timeout: TimeInterval, what: String) async throws -> [UInt8] {
        let event: CircuitEvent?
        do {
            event = try await withTimeout(timeout, error: CircuitError.timedOut(what)) { [events] in try await events.next() }
        } catch {
            destroy()
            throw error
        }
        switch event {
        case let .created(body), let .extended(body): return body
        case let .message(_, message):
            destroy()
            throw CircuitError.protocolViolation("unexpected \(message.command) while \(what)")
        case nil:
            throw failure ?? CircuitError.closed
        }
    }

    /// Waits for the next non-stream relay message (e.g. RENDEZVOUS2), failing after `timeout`.
    public func nextMessage(timeout: TimeInterval, what: String) async throws -> (hop: Int, message: RelayMessage) {
        let event = try await withTimeout(timeout, error: CircuitError.timedOut(what)) { [events] in try await events.next() }
        switch event {
        case let .message(hop, message): return (hop, message)
        case .created, .extended: throw CircuitError.protocolViolation("unexpected handshake reply while \(what)")
        case nil: throw failure ?? CircuitError.closed
        }
    }

    // MARK: Sending

    /// Encrypts and sends a relay message to hop `hop` (0-based).
    public func send(_ message: RelayMessage, toHop hop: Int, early: Bool = false) throws {
        try state.withLock { state in
            try sendLocked(&state, message, toHop: hop, early: early)
        }
    }

    private func sendLocked(_ state: inout State, _ message: RelayMessage, toHop hop: Int, early: Bool) throws {
        if let failure = state.failure { throw failure }
        guard hop >= 0 && hop < state.hops.count else {
            throw CircuitError.protocolViolation("no hop \(hop) on a \(state.hops.count)-hop circuit")
        }
        var payload = try message.encodedPayload(padding: random)
        let tag = state.hops[hop].crypto.sealOutbound(&payload)
        if message.command == .data {
            let window = state.hops[hop].packageWindow
            if (window - 1) % Circuit.circuitWindowIncrement == 0 {
                state.hops[hop].expectedSendmeTags.append(tag)
            }
            state.hops[hop].packageWindow -= 1
        }
        for index in stride(from: hop, through: 0, by: -1) {
            state.hops[index].crypto.encryptOutbound(&payload)
        }
        var command = ChannelCommand.relay
        if state.relayEarlyRemaining > 0 && (early || hop > 0) {
            command = .relayEarly
            state.relayEarlyRemaining -= 1
        } else if early {
            throw CircuitError.protocolViolation("no RELAY_EARLY cells left for \(message.command)")
        }
        state.lastUsed = Date()
        channel.send(Cell(circuitID: state.id, command: command, payload: payload))
    }

    /// Closes the circuit (sends DESTROY) and fails everything waiting on it.
    public func destroy() {
        let id = state.withLock { state -> UInt32? in
            guard state.failure == nil else { return nil }
            return state.id
        }
        fail(.destroyed(.requested, byRelay: false))
        if let id {
            channel.send(Cell(circuitID: id, command: .destroy, payload: [DestroyReason.none.rawValue]))
            channel.unregister(id)
        }
    }

    private func fail(_ error: CircuitError) {
        let (streams, waiters) = state.withLock { state -> ([AsyncQueue<StreamEvent>], [CheckedContinuation<Void, any Error>]) in
            guard state.failure == nil else { return ([], []) }
            state.failure = error
            let streams = state.streams.values.map(\.events)
            state.streams.removeAll()
            let waiters = state.windowWaiters
            state.windowWaiters.removeAll()
            return (streams, waiters)
        }
        for stream in streams { stream.finish(throwing: StreamError.circuitFailed(error)) }
        for waiter in waiters { waiter.resume(throwing: error) }
        events.finish(throwing: error)
    }

    // MARK: Receiving (channel I/O thread)

    func channelClosed(_ reason: String) { fail(.channelClosed(reason)) }

    func handle(_ cell: Cell) {
        switch cell.command {
        case .created2, .createdFast:
            events.push(.created(cell.payload))
        case .destroy:
            channel.unregister(cell.circuitID)
            fail(.destroyed(DestroyReason(rawValue: cell.payload.first ?? 0), byRelay: true))
        case .relay:
            handleRelay(cell.payload)
        case .relayEarly:
            protocolViolation("relay sent RELAY_EARLY towards the client")
        default:
            break
        }
    }

    private func protocolViolation(_ detail: String) {
        let id = state.withLock { $0.id }
        fail(.protocolViolation(detail))
        channel.send(Cell(circuitID: id, command: .destroy, payload: [DestroyReason.protocolViolation.rawValue]))
        channel.unregister(id)
    }

    private func handleRelay(_ encrypted: [UInt8]) {
        var deliveries: [() -> Void] = []
        var violation: String?
        state.withLock { state in
            guard state.failure == nil else { return }
            var payload = encrypted
            var origin: Int?
            for index in state.hops.indices {
                state.hops[index].crypto.decryptInbound(&payload)
                if state.hops[index].crypto.isRecognized(&payload) { origin = index; break }
            }
            guard let hop = origin else {
                violation = "a relay cell no hop recognized"
                return
            }
            let message: RelayMessage
            do { message = try RelayMessage(payload: payload) } catch {
                violation = "malformed relay cell from hop \(hop + 1): \(error)"
                return
            }
            violation = route(&state, message, from: hop, deliveries: &deliveries)
        }
        for delivery in deliveries { delivery() }
        if let violation { protocolViolation(violation) }
    }

    /// Routes one recognized message; returns a protocol violation to close the circuit for.
    private func route(_ state: inout State, _ message: RelayMessage, from hop: Int,
                       deliveries: inout [() -> Void]) -> String? {
        switch message.command {
        case .data:
            state.hops[hop].deliverWindow -= 1
            if state.hops[hop].deliverWindow < 0 { return "hop \(hop + 1) overran the circuit window" }
            if state.hops[hop].deliverWindow <= Circuit.circuitWindowStart - Circuit.circuitWindowIncrement {
                let tag = state.hops[hop].crypto.lastBackwardDigest
                state.hops[hop].deliverWindow += Circuit.circuitWindowIncrement
                try? sendLocked(&state, RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: tag).encoded()),
                                toHop: hop, early: false)
            }
            guard var stream = state.streams[message.streamID] else { return nil }
            stream.deliverWindow -= 1
            if stream.deliverWindow < 0 { return "stream \(message.streamID) overran its window" }
            state.streams[message.streamID] = stream
            let events = stream.events
            let data = message.data
            deliveries.append { events.push(.data(data)) }
        case .sendme:
            return handleSendme(&state, message, from: hop, deliveries: &deliveries)
        case .connected:
            if let stream = state.streams[message.streamID] {
                let events = stream.events
                deliveries.append { events.push(.connected) }
            }
        case .end:
            if let stream = state.streams.removeValue(forKey: message.streamID) {
                let events = stream.events
                let reason = EndReason(endBody: message.data)
                // A writer waiting for window on this stream must learn that it ended.
                let waiters = state.takeWindowWaiters()
                deliveries.append { for waiter in waiters { waiter.resume() } }
                if !stream.endedByUs {
                    deliveries.append {
                        if reason == .done { events.finish() } else { events.finish(throwing: StreamError.refused(reason)) }
                    }
                }
            }
        case .extended2:
            let body = message.data
            deliveries.append { [events] in events.push(.extended(body)) }
        case .truncated:
            let reason = DestroyReason(rawValue: message.data.first ?? 0)
            deliveries.append { [weak self] in self?.fail(.truncated(reason)) }
        case .drop, .paddingNegotiated:
            break
        default:
            if message.command.isStreamCommand && message.streamID != 0 {
                return nil
            }
            deliveries.append { [events] in events.push(.message(hop: hop, message)) }
        }
        return nil
    }

    private func handleSendme(_ state: inout State, _ message: RelayMessage, from hop: Int,
                              deliveries: inout [() -> Void]) -> String? {
        if message.streamID == 0 {
            guard !state.hops[hop].expectedSendmeTags.isEmpty else { return "unexpected circuit SENDME from hop \(hop + 1)" }
            let expected = state.hops[hop].expectedSendmeTags.removeFirst()
            if case let .v1(digest)? = try? SendmeMessage(body: message.data), !constantTimeEquals(digest, expected) {
                return "circuit SENDME from hop \(hop + 1) carries the wrong digest"
            }
            state.hops[hop].packageWindow += Circuit.circuitWindowIncrement
            if state.hops[hop].packageWindow > Circuit.circuitWindowStart { return "circuit SENDME overflowed the window" }
        } else {
            guard var stream = state.streams[message.streamID] else { return nil }
            stream.packageWindow += Circuit.streamWindowIncrement
            if stream.packageWindow > Circuit.streamWindowStart { return "stream SENDME overflowed the window" }
            state.streams[message.streamID] = stream
        }
        let waiters = state.takeWindowWaiters()
        deliveries.append { for waiter in waiters { waiter.resume() } }
        return nil
    }

    // MARK: Streams

    /// Opens a stream at the last hop with `begin` (BEGIN or BEGIN_DIR) and waits for CONNECTED.
    public func openStream(_ command: RelayCommand, body: [UInt8] = [], timeout: TimeInterval = 20) async throws -> TorStream {
        let events = AsyncQueue<StreamEvent>()
        let (streamID, hop) = try state.withLock { state -> (UInt16, Int) in
            if let failure = state.failure { throw failure }
            var id = state.nextStreamID
            for _ in 0..<65_536 {
                if id != 0 && state.streams[id] == nil { break }
                id = id &+ 1
            }
            state.nextStreamID = id &+ 1
            let hop = state.hops.count - 1
            state.streams[id] = StreamState(hop: hop, events: events)
            try sendLocked(&state, RelayMessage(command: command, streamID: id, data: body), toHop: hop, early: false)
            return (id, hop)
        }
        let stream = TorStream(circuit: self, streamID: streamID, hop: hop, events: events)
        let first: StreamEvent?
        do {
            first = try await withTimeout(timeout, error: CircuitError.timedOut("waiting for the stream to open")) {
                try await events.next()
            }
        } catch {
            stream.close()
            throw error
        }
        switch first {
        case .connected: return stream
        case .data(let bytes):
            stream.pushBack(bytes)
            return stream
        case nil: throw StreamError.closed
        }
    }

    /// Sends DATA on a stream, waiting while the circuit or stream window is empty.
    func sendData(_ bytes: ArraySlice<UInt8>, streamID: UInt16) async throws {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let chunkEnd = min(offset + RelayMessage.maxDataLength, bytes.endIndex)
            let chunk = Array(bytes[offset..<chunkEnd])
            try await waitForWindow(streamID: streamID)
            try state.withLock { state in
                guard var stream = state.streams[streamID] else { throw StreamError.closed }
                stream.packageWindow -= 1
                state.streams[streamID] = stream
                try sendLocked(&state, RelayMessage(command: .data, streamID: streamID, data: chunk), toHop: stream.hop, early: false)
            }
            offset = chunkEnd
        }
    }

    private func waitForWindow(streamID: UInt16) async throws {
        while true {
            let ready = try state.withLock { state -> Bool in
                if let failure = state.failure { throw failure }
                guard let stream = state.streams[streamID] else { throw StreamError.closed }
                return stream.packageWindow > 0 && state.hops[stream.hop].packageWindow > 0
            }
            if ready { return }
            try Task.checkCancellation()
            // Woken by a SENDME, the stream's end, the circuit's failure or our cancellation; the
            // loop then looks again.
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let resumeNow = state.withLock { state -> Bool in
                        guard state.failure == nil, let stream = state.streams[streamID] else { return true }
                        if stream.packageWindow > 0 && state.hops[stream.hop].packageWindow > 0 { return true }
                        // Checked under the lock the cancellation handler takes: no lost wake-up.
                        if Task.isCancelled { return true }
                        state.windowWaiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiters = state.withLock { $0.takeWindowWaiters() }
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    /// The reader consumed `cells` DATA cells: once 50 are consumed, a stream SENDME lets the
    /// other end send 50 more. Tying SENDMEs to consumption bounds what a slow reader buffers.
    func consumed(cells: Int, streamID: UInt16) {
        state.withLock { state in
            guard var stream = state.streams[streamID] else { return }
            stream.consumedSinceSendme += cells
            var sendmes = 0
            while stream.consumedSinceSendme >= Circuit.streamWindowIncrement {
                stream.consumedSinceSendme -= Circuit.streamWindowIncrement
                stream.deliverWindow += Circuit.streamWindowIncrement
                sendmes += 1
            }
            state.streams[streamID] = stream
            for _ in 0..<sendmes {
                try? sendLocked(&state, RelayMessage(command: .sendme, streamID: streamID), toHop: stream.hop, early: false)
            }
        }
    }

    /// Sends END for a stream we close, keeping circuit accounting for late cells.
    func endStream(_ streamID: UInt16) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard var stream = state.streams[streamID] else { return [] }
            stream.endedByUs = true
            state.streams[streamID] = nil
            try? sendLocked(&state, RelayMessage(command: .end, streamID: streamID, data: [EndReason.misc.rawValue]),
                            toHop: stream.hop, early: false)
            return state.takeWindowWaiters()
        }
        for waiter in waiters { waiter.resume() }
    }
}
