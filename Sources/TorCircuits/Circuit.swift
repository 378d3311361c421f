import FoundationEssentials
import Synchronization
import TorCrypto
import TorProto

/// Something a circuit received that its owner waits for: handshake replies and the relay
/// messages it announced with ``Circuit/expect(_:fromHop:)`` (e.g. RENDEZVOUS2, INTRODUCE_ACK).
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
///
/// Every relay on the path is treated as a stranger that may lie (tor-spec §6, as C tor and
/// arti do): a stream cell is accepted only from the hop its stream was opened on, a handshake
/// reply only while that handshake is pending, and any other message only when the owner
/// announced it from that hop. Anything else is a protocol violation that closes the circuit
/// (``CircuitError/protocolViolation(_:)`` says which hop sent what).
public final class Circuit: @unchecked Sendable, CircuitCellHandler {
    public static let circuitWindowStart = 1000
    public static let circuitWindowIncrement = 100
    public static let streamWindowStart = 500
    public static let streamWindowIncrement = 50

    struct Hop {
        var name: String
        var crypto: RelayCryptoLayer
        /// How the hop was added (``HandshakeType``); nil for the virtual onion-service hop.
        var handshakeType: UInt16?
        var packageWindow = Circuit.circuitWindowStart
        var deliverWindow = Circuit.circuitWindowStart
        var expectedSendmeTags: [[UInt8]] = []
        var circuitSendmesReceived = 0
        /// Congestion control negotiated with this hop (proposal 324): Vegas replaces the fixed
        /// circuit package window, SENDMEs go every `sendme_inc` cells, streams use XON/XOFF.
        var congestion: HopCongestion?
    }

    struct StreamState {
        var hop: Int
        var events: AsyncQueue<StreamEvent>
        var packageWindow = Circuit.streamWindowStart
        var deliverWindow = Circuit.streamWindowStart
        var consumedSinceSendme = 0
        var connected = false
        /// Its hop runs congestion control: no stream SENDMEs, XON/XOFF instead (proposal 344).
        var flow: StreamFlow?
    }

    struct State {
        var id: UInt32 = 0
        var hops: [Hop] = []
        var streams: [UInt16: StreamState] = [:]
        var halfClosed: [UInt16: HalfClosedStream] = [:]
        var halfClosedOrder: [UInt16] = []
        var nextStreamID: UInt16 = UInt16.random(in: 1...UInt16.max)
        var relayEarlyRemaining = 8
        var failure: CircuitError?
        var windowWaiters: [CheckedContinuation<Void, any Error>] = []
        var lastUsed = Date()
        var pendingHandshake = PendingHandshake.none
        var expectations: [Expectation] = []
        /// The lowest circuit-SENDME version accepted (the consensus's `sendme_accept_min_version`).
        var sendmeAcceptMinVersion: Int
        var flowCounts = FlowControlCounts()

        /// Removes and returns the writers waiting for window, to be resumed outside the lock.
        mutating func takeWindowWaiters() -> [CheckedContinuation<Void, any Error>] {
            defer { windowWaiters.removeAll() }
            return windowWaiters
        }

        /// "hop 2 (relayname)" for messages.
        func describe(hop: Int) -> String {
            hop < hops.count ? "hop \(hop + 1) (\(hops[hop].name))" : "hop \(hop + 1)"
        }

        mutating func rememberHalfClosed(_ id: UInt16, _ stream: HalfClosedStream) {
            if halfClosed.updateValue(stream, forKey: id) == nil { halfClosedOrder.append(id) }
            while halfClosedOrder.count > maxHalfClosedStreams {
                halfClosed[halfClosedOrder.removeFirst()] = nil
            }
        }

        mutating func forgetHalfClosed(_ id: UInt16) {
            if halfClosed.removeValue(forKey: id) != nil { halfClosedOrder.removeAll { $0 == id } }
        }
    }

    let transport: any CircuitTransport
    let state: Mutex<State>
    /// Handshake replies and announced relay messages, in arrival order. Bounded: only what the
    /// owner waits for is ever put here.
    public let events = AsyncQueue<CircuitEvent>(capacity: 16)
    let random: @Sendable (Int) -> [UInt8] = { SecureRandom.bytes($0) }

    init(transport: any CircuitTransport, sendmeAcceptMinVersion: Int) {
        self.transport = transport
        self.state = Mutex(State(sendmeAcceptMinVersion: sendmeAcceptMinVersion))
    }

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
    /// - Parameter sendmeAcceptMinVersion: the lowest circuit-SENDME version accepted (consensus
    ///   parameter `sendme_accept_min_version`).
    public static func createFast(on channel: Channel, name: String, timeout: TimeInterval = 15,
                                  sendmeAcceptMinVersion: Int = 0) async throws -> Circuit {
        try await createFast(over: channel, name: name, timeout: timeout, sendmeAcceptMinVersion: sendmeAcceptMinVersion)
    }

    static func createFast(over transport: any CircuitTransport, name: String, timeout: TimeInterval,
                           sendmeAcceptMinVersion: Int) async throws -> Circuit {
        let handshake = CreateFastHandshake()
        return try await createFirstHop(over: transport, name: name, request: .createFast, payload: handshake.clientMaterial,
                                        reply: .createdFast, handshakeType: HandshakeType.createFast, timeout: timeout, sendmeAcceptMinVersion: sendmeAcceptMinVersion) {
            (try handshake.complete(reply: $0), nil)
        }
    }

    /// Builds a one-hop circuit with CREATE2/ntor to the channel's relay.
    /// - Parameter congestionControl: the consensus's congestion-control parameters when this one
    ///   hop is a directory or exit hop: the relay is asked for congestion control if it lists
    ///   `FlowCtrl=2` and ntor v3 and `cc_alg` is on, and runs it if it agrees (fixed windows otherwise).
    public static func create(on channel: Channel, target: ExtendTarget, timeout: TimeInterval = 15,
                              sendmeAcceptMinVersion: Int = 0, congestionControl: CongestionControlParameters? = nil) async throws -> Circuit {
        try await create(over: channel, target: target, timeout: timeout, sendmeAcceptMinVersion: sendmeAcceptMinVersion,
                         congestionControl: congestionControl)
    }

    static func create(over transport: any CircuitTransport, target: ExtendTarget, timeout: TimeInterval,
                       sendmeAcceptMinVersion: Int, congestionControl: CongestionControlParameters? = nil) async throws -> Circuit {
        let handshake = try HopHandshake(target: target, congestionControl: congestionControl)
        let body = Create2Body(handshakeType: handshake.type, handshakeData: handshake.onionskin).encoded()
        return try await createFirstHop(over: transport, name: target.nickname, request: .create2, payload: body,
                                        reply: .created2, handshakeType: handshake.type, timeout: timeout,
                                        sendmeAcceptMinVersion: sendmeAcceptMinVersion) {
            try handshake.complete(reply: try decodeCreated2Body($0))
        }
    }

    /// Sends the first hop's create cell, accepts only its matching reply, and derives the hop's keys
    /// (the key material is wiped once the hop's crypto holds it).
    private static func createFirstHop(over transport: any CircuitTransport, name: String, request: ChannelCommand,
                                       payload: [UInt8], reply: ChannelCommand, handshakeType: UInt16, timeout: TimeInterval,
                                       sendmeAcceptMinVersion: Int,
                                       complete: ([UInt8]) throws -> (material: [UInt8], congestion: HopCongestion?)) async throws -> Circuit {
        let circuit = Circuit(transport: transport, sendmeAcceptMinVersion: sendmeAcceptMinVersion)
        let id = try circuit.register()
        circuit.state.withLock { $0.pendingHandshake = .create(reply: reply) }
        transport.send(Cell(circuitID: id, command: request, payload: payload))
        let body = try await circuit.awaitHandshake(timeout: timeout, what: "waiting for \(reply) from \(name)")
        do {
            var completed = try complete(body)
            defer { wipe(&completed.material) }
            try circuit.appendHop(name: name, keys: HopKeys(tor1Material: completed.material), handshakeType: handshakeType,
                                  congestion: completed.congestion)
        } catch {
            circuit.destroy()
            throw CircuitError.handshake("\(name): \(error)")
        }
        return circuit
    }

    /// Extends the circuit by one hop with EXTEND2 (in RELAY_EARLY) and ntor v3 or ntor
    /// (``ExtendTarget/handshakeType``).
    /// - Parameter congestionControl: given for the last hop of an exit circuit: as in
    ///   ``create(on:target:timeout:sendmeAcceptMinVersion:congestionControl:)``.
    public func extend(to target: ExtendTarget, timeout: TimeInterval = 15,
                       congestionControl: CongestionControlParameters? = nil) async throws {
        let handshake = try HopHandshake(target: target, congestionControl: congestionControl)
        let extend = Extend2Message(linkSpecifiers: target.linkSpecifiers, handshakeType: handshake.type,
                                    handshakeData: handshake.onionskin)
        try state.withLock { state in
            guard state.pendingHandshake == .none else {
                throw CircuitError.protocolViolation("extending while another handshake is pending")
            }
            let last = state.hops.count - 1
            state.pendingHandshake = .extend(lastHop: last)
            do {
                try sendLocked(&state, RelayMessage(command: .extend2, data: extend.encoded()), toHop: last, early: true)
            } catch {
                state.pendingHandshake = .none
                throw error
            }
        }
        let reply = try await awaitHandshake(timeout: timeout, what: "extending to \(target.nickname)")
        do {
            var completed = try handshake.complete(reply: try decodeCreated2Body(reply, what: "EXTENDED2"))
            defer { wipe(&completed.material) }
            try appendHop(name: target.nickname, keys: HopKeys(tor1Material: completed.material), handshakeType: handshake.type,
                          congestion: completed.congestion)
        } catch {
            destroy()
            throw CircuitError.handshake("extending to \(target.nickname): \(error)")
        }
    }

    /// Appends a hop whose keys came from elsewhere (the onion-service virtual hop, whose
    /// handshake is hs-ntor: `handshakeType` nil).
    public func appendHop(name: String, keys: HopKeys, handshakeType: UInt16? = nil) throws {
        try appendHop(name: name, keys: keys, handshakeType: handshakeType, congestion: nil)
    }

    /// Appends a hop that runs `congestion` (negotiated in its handshake) from its first cell on.
    func appendHop(name: String, keys: HopKeys, handshakeType: UInt16?, congestion: HopCongestion?) throws {
        let crypto = try RelayCryptoLayer(keys: keys)
        state.withLock { $0.hops.append(Hop(name: name, crypto: crypto, handshakeType: handshakeType, congestion: congestion)) }
    }

    /// The CREATE2 handshake type each hop was added with (``HandshakeType``), first to last;
    /// nil for the onion-service virtual hop.
    public var hopHandshakeTypes: [UInt16?] { state.withLock { $0.hops.map(\.handshakeType) } }

    private func register() throws -> UInt32 {
        let id = try transport.register(self)
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

    /// Announces that the owner waits for one of `commands` from hop `hop` (0-based): the next
    /// such message is delivered through ``nextMessage(timeout:what:)``. A non-stream message
    /// nobody announced is a protocol violation. Announce before sending what provokes it.
    public func expect(_ commands: Set<RelayCommand>, fromHop hop: Int) {
        state.withLock { $0.expectations.append(Expectation(commands: commands, hop: hop)) }
    }

    /// Waits for the next announced relay message (e.g. RENDEZVOUS2), failing after `timeout`.
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

    /// Sends `message` to `hop` and announces, atomically, that one of `replies` is awaited from it.
    public func send(_ message: RelayMessage, toHop hop: Int, expecting replies: Set<RelayCommand>) throws {
        try state.withLock { state in
            state.expectations.append(Expectation(commands: replies, hop: hop))
            do { try sendLocked(&state, message, toHop: hop, early: false) } catch {
                state.expectations.removeLast()
                throw error
            }
        }
    }

    func sendLocked(_ state: inout State, _ message: RelayMessage, toHop hop: Int, early: Bool) throws {
        if let failure = state.failure { throw failure }
        guard hop >= 0 && hop < state.hops.count else {
            throw CircuitError.protocolViolation("no hop \(hop) on a \(state.hops.count)-hop circuit")
        }
        var payload = try message.encodedPayload(padding: random)
        let tag = state.hops[hop].crypto.sealOutbound(&payload)
        if message.command == .data {
            if state.hops[hop].congestion != nil {
                if state.hops[hop].congestion!.vegas.cellSent(now: monotonicMicroseconds()) {
                    state.hops[hop].expectedSendmeTags.append(tag)
                }
            } else {
                let window = state.hops[hop].packageWindow
                if (window - 1) % Circuit.circuitWindowIncrement == 0 {
                    state.hops[hop].expectedSendmeTags.append(tag)
                }
                state.hops[hop].packageWindow -= 1
            }
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
        transport.send(Cell(circuitID: state.id, command: command, payload: payload))
    }

    /// Closes the circuit (sends DESTROY) and fails everything waiting on it.
    public func destroy() {
        let id = state.withLock { state -> UInt32? in
            guard state.failure == nil else { return nil }
            return state.id
        }
        fail(.destroyed(.requested, byRelay: false))
        if let id {
            transport.send(Cell(circuitID: id, command: .destroy, payload: [DestroyReason.none.rawValue]))
            transport.unregister(id)
        }
    }

    func fail(_ error: CircuitError) {
        let (streams, waiters) = state.withLock { state -> ([AsyncQueue<StreamEvent>], [CheckedContinuation<Void, any Error>]) in
            guard state.failure == nil else { return ([], []) }
            state.failure = error
            let streams = state.streams.values.map(\.events)
            state.streams.removeAll()
            state.halfClosed.removeAll()
            state.halfClosedOrder.removeAll()
            state.expectations.removeAll()
            let waiters = state.windowWaiters
            state.windowWaiters.removeAll()
            return (streams, waiters)
        }
        for stream in streams { stream.finish(throwing: StreamError.circuitFailed(error)) }
        for waiter in waiters { waiter.resume(throwing: error) }
        events.finish(throwing: error)
    }
}
