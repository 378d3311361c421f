import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TorCrypto
import TorProto

/// Receives the cells of one circuit, on the channel's I/O thread.
protocol CircuitCellHandler: AnyObject, Sendable {
    func handle(_ cell: Cell)
    func channelClosed(_ reason: String)
}

/// What the client expects a relay to prove in its CERTS cell.
public struct ExpectedIdentity: Sendable, Equatable {
    public var rsaIdentity: [UInt8]?
    public var ed25519Identity: [UInt8]?
    public var name: String

    public init(rsaIdentity: [UInt8]?, ed25519Identity: [UInt8]? = nil, name: String) {
        self.rsaIdentity = rsaIdentity
        self.ed25519Identity = ed25519Identity
        self.name = name
    }
}

/// A TLS link to one relay after the v3 link handshake (link protocol 4 or 5), carrying circuits.
public final class Channel: @unchecked Sendable {
    public static let supportedLinkVersions: [UInt16] = [4, 5]
    /// Clock differences up to this are normal (network delay, coarse clocks); beyond it they are reported.
    public static let clockSkewTolerance: TimeInterval = 3600
    /// The largest variable-length cell accepted before the handshake completes (a CERTS cell is ~2 KB).
    public static let maxHandshakeCellLength = 16_384
    /// Handshake cells received but not yet read; more means the relay floods the handshake.
    public static let maxQueuedHandshakeCells = 64

    public let address: RelayAddress
    public let identities: RelayIdentities
    public let linkVersion: UInt16
    /// Relay clock minus ours, from its NETINFO (nil if it sent 0).
    public let clockSkew: TimeInterval?

    private struct State {
        var framer = CellFramer(circuitIDWidth: 4)
        var circuits: [UInt32: any CircuitCellHandler] = [:]
        var closedReason: String?
    }

    private let state: Mutex<State>
    private let io: ChannelIO
    private let closedHandlers = Mutex<[@Sendable (String) -> Void]>([])

    private init(address: RelayAddress, identities: RelayIdentities, linkVersion: UInt16, clockSkew: TimeInterval?,
                 io: ChannelIO) {
        self.address = address
        self.identities = identities
        self.linkVersion = linkVersion
        self.clockSkew = clockSkew
        self.io = io
        self.state = Mutex(State())
    }

    /// Connects, runs TLS and the link handshake, verifies the relay's certificates and checks
    /// its identity against `expected`.
    public static func connect(to address: RelayAddress, expected: ExpectedIdentity,
                               timeout: TimeInterval = 15, now: @Sendable () -> Date = Date.init) async throws -> Channel {
        let (fd, tls) = try await runBlocking("tls \(address)") { try ChannelIO.open(to: address, timeout: timeout) }
        // The handshake reads cells as they come; a relay that floods it (VPADDING) is refused, not buffered.
        let handshakeCells = AsyncQueue<Cell>(capacity: Channel.maxQueuedHandshakeCells)
        let shared = SharedBox()
        let io = ChannelIO(fd: fd, tls: tls, onReceive: { bytes in
            shared.receive(bytes)
        }, onClose: { reason in
            shared.close(reason)
        })
        shared.handshakeFramer = CellFramer(circuitIDWidth: 2, maxVariableLength: Channel.maxHandshakeCellLength)
        shared.handshakeQueue = handshakeCells
        do { try io.start(name: address.description) } catch {
            throw ChannelError.connectFailed(address, "\(error)")
        }
        let current = now()
        do {
            return try await withTimeout(timeout, error: ChannelError.timedOut("in the link handshake with \(address)")) {
                try await handshake(address: address, expected: expected, tls: tls, io: io, shared: shared,
                                    cells: handshakeCells, now: current)
            }
        } catch let error as ChannelError {
            io.close()
            throw error
        } catch {
            io.close()
            throw ChannelError.handshake("\(address): \(error)")
        }
    }

    private static func handshake(address: RelayAddress, expected: ExpectedIdentity, tls: TLSClientSession, io: ChannelIO,
                                  shared: SharedBox, cells: AsyncQueue<Cell>, now: Date) async throws -> Channel {
        io.send(VersionsCell(versions: [3] + supportedLinkVersions).cell().encoded(circuitIDWidth: 2))
        func nextCell() async throws -> Cell {
            guard let cell = try await cells.next() else {
                throw ChannelError.handshake("\(address) closed the connection during the link handshake")
            }
            return cell
        }
        let versionsCell = try await nextCell()
        guard versionsCell.command == .versions else {
            throw ChannelError.handshake("expected VERSIONS from \(address), got \(versionsCell.command)")
        }
        guard let version = try VersionsCell(payload: versionsCell.payload).highestCommon(with: supportedLinkVersions) else {
            throw ChannelError.handshake("\(address) supports no link protocol version we speak (4 or 5)")
        }
        shared.switchToWideCircuitIDs()
        let peerCertificate: [UInt8]
        do { peerCertificate = try tls.peerCertificateDER() } catch { throw ChannelError.tls("\(error)") }
        // Collect CERTS and NETINFO first: the relay's clock tells whether a certificate that looks
        // expired is really bad or our own clock is wrong.
        var certsCell: CertsCell?
        var relayTime: UInt32 = 0
        handshake: while true {
            let cell = try await nextCell()
            switch cell.command {
            case .certs:
                guard certsCell == nil else { throw ChannelError.handshake("\(address) sent two CERTS cells") }
                do { certsCell = try CertsCell(payload: cell.payload) } catch {
                    throw ChannelError.handshake("\(address): \(error)")
                }
            case .authChallenge, .vpadding, .padding:
                continue
            case .netinfo:
                guard certsCell != nil else { throw ChannelError.handshake("\(address) sent NETINFO before CERTS") }
                relayTime = try NetinfoCell(payload: cell.payload).timestamp
                break handshake
            default:
                throw ChannelError.handshake("unexpected \(cell.command) from \(address) during the link handshake")
            }
        }
        let skew: TimeInterval? = relayTime == 0 ? nil : TimeInterval(relayTime) - now.timeIntervalSince1970
        var identities: RelayIdentities?
        do {
            identities = try LinkCertificateVerifier.verify(certsCell!, tlsCertificateDER: peerCertificate, now: now)
        } catch {
            if let skew, abs(skew) > Channel.clockSkewTolerance {
                // Judge the certificates by the relay's clock: if they pass, the fault is our clock.
                let relayNow = now.addingTimeInterval(skew)
                if (try? LinkCertificateVerifier.verify(certsCell!, tlsCertificateDER: peerCertificate, now: relayNow)) != nil {
                    throw ChannelError.clockSkew(seconds: -skew, relay: address.description)
                }
            }
            throw ChannelError.handshake("\(address): \(error)")
        }
        guard let identities else { throw ChannelError.handshake("\(address) sent no CERTS") }
        if let rsa = expected.rsaIdentity, rsa != identities.rsaIdentity {
            throw ChannelError.identityMismatch(relay: "\(expected.name) at \(address)", expected: hexString(rsa).uppercased(),
                                                actual: hexString(identities.rsaIdentity).uppercased())
        }
        if let ed = expected.ed25519Identity, ed != identities.ed25519Identity {
            throw ChannelError.identityMismatch(relay: "\(expected.name) at \(address)", expected: Base64.encode(ed, padding: false),
                                                actual: Base64.encode(identities.ed25519Identity, padding: false))
        }
        let other: NetinfoAddress = address.host.contains(":")
            ? .ipv6(ipv6Bytes(address.host) ?? [UInt8](repeating: 0, count: 16))
            : .ipv4(ipv4Bytes(address.host) ?? [0, 0, 0, 0])
        io.send(NetinfoCell(timestamp: 0, otherAddress: other, myAddresses: []).cell().encoded(circuitIDWidth: 4))
        let channel = Channel(address: address, identities: identities, linkVersion: version, clockSkew: skew, io: io)
        shared.attach(channel)
        return channel
    }

    /// Whether the channel is still open.
    public var isOpen: Bool { state.withLock { $0.closedReason == nil } }

    /// Registers a callback run once when the channel closes.
    public func onClose(_ handler: @escaping @Sendable (String) -> Void) {
        if let reason = state.withLock({ $0.closedReason }) { handler(reason); return }
        closedHandlers.withLock { $0.append(handler) }
    }

    /// Sends an encoded cell (4-byte circuit IDs). Never blocks.
    public func send(_ cell: Cell) { io.send(cell.encoded(circuitIDWidth: 4)) }

    /// Closes the link; every circuit on it learns of it.
    public func close() { io.close() }

    /// Reserves a fresh circuit ID (high bit set, as the initiator's) for `handler`.
    func register(_ handler: any CircuitCellHandler) throws -> UInt32 {
        try state.withLock { state in
            if let reason = state.closedReason { throw ChannelError.closed(reason) }
            for _ in 0..<64 {
                var id: UInt32 = 0
                for byte in SecureRandom.bytes(4) { id = id << 8 | UInt32(byte) }
                id |= 0x8000_0000
                if state.circuits[id] == nil {
                    state.circuits[id] = handler
                    return id
                }
            }
            throw ChannelError.protocolViolation("could not find a free circuit ID")
        }
    }

    func unregister(_ id: UInt32) { _ = state.withLock { $0.circuits.removeValue(forKey: id) } }

    /// Number of circuits open on this channel.
    public var circuitCount: Int { state.withLock { $0.circuits.count } }

    /// IDs of the circuits registered on this channel (read-only introspection for soak tests).
    public var circuitIDs: [UInt32] { state.withLock { Array($0.circuits.keys) } }

    /// Streams open on this channel's circuits (read-only introspection for soak tests).
    public var streamCount: Int {
        let handlers = state.withLock { Array($0.circuits.values) }
        return handlers.reduce(0) { $0 + (($1 as? Circuit)?.streamCount ?? 0) }
    }

    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) {
        var cells = [Cell]()
        var failure: String?
        state.withLock { state in
            state.framer.append(bytes)
            do {
                while let cell = try state.framer.nextCell() { cells.append(cell) }
            } catch {
                failure = "\(error)"
            }
        }
        for cell in cells { dispatch(cell) }
        if let failure { closeWithError("undecodable cell: \(failure)") }
    }

    fileprivate func adoptLeftover(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive($0) }
    }

    private func dispatch(_ cell: Cell) {
        if cell.circuitID == 0 {
            // PADDING, VPADDING, late NETINFO: nothing for a client to do.
            return
        }
        let handler = state.withLock { $0.circuits[cell.circuitID] }
        handler?.handle(cell)
    }

    private func closeWithError(_ reason: String) {
        io.close()
        markClosed(reason)
    }

    fileprivate func markClosed(_ reason: String) {
        let handlers = state.withLock { state -> [any CircuitCellHandler] in
            guard state.closedReason == nil else { return [] }
            state.closedReason = reason
            defer { state.circuits.removeAll() }
            return Array(state.circuits.values)
        }
        for handler in handlers { handler.channelClosed(reason) }
        let callbacks = closedHandlers.withLock { callbacks -> [@Sendable (String) -> Void] in
            defer { callbacks.removeAll() }
            return callbacks
        }
        for callback in callbacks { callback(reason) }
    }
}

/// Routes bytes from the I/O thread to the handshake first, then to the channel.
private final class SharedBox: @unchecked Sendable {
    private let lock = Mutex(())
    var handshakeFramer = CellFramer(circuitIDWidth: 2, maxVariableLength: Channel.maxHandshakeCellLength)
    var handshakeQueue: AsyncQueue<Cell>?
    private var channel: Channel?
    private var closedReason: String?
    private var sawNetinfo = false
    /// VERSIONS was parsed with 2-byte circuit IDs: wait for the width switch before parsing on.
    private var awaitingWidthSwitch = false

    func receive(_ bytes: UnsafeRawBufferPointer) {
        let target: Channel? = lock.withLock { _ in
            if let channel { return channel }
            handshakeFramer.append(bytes)
            drainHandshake()
            return nil
        }
        target?.receive(bytes)
    }

    /// Called once VERSIONS is read: later cells use 4-byte circuit IDs.
    func switchToWideCircuitIDs() {
        lock.withLock { _ in
            handshakeFramer.circuitIDWidth = 4
            awaitingWidthSwitch = false
            drainHandshake()
        }
    }

    private func drainHandshake() {
        if sawNetinfo || awaitingWidthSwitch { return }
        do {
            while let cell = try handshakeFramer.nextCell() {
                if let queue = handshakeQueue, !queue.push(cell) {
                    queue.finish(throwing: ChannelError.handshake(
                        "the relay sent more than \(Channel.maxQueuedHandshakeCells) link handshake cells faster than they could be read"))
                    return
                }
                if cell.command == .netinfo { sawNetinfo = true }
                if cell.command == .versions && handshakeFramer.circuitIDWidth == 2 {
                    awaitingWidthSwitch = true
                    break
                }
                if sawNetinfo {
                    // Stop here: what follows VERSIONS uses 4-byte circuit IDs.
                    break
                }
            }
        } catch {
            handshakeQueue?.finish(throwing: ChannelError.handshake("malformed cell: \(error)"))
        }
    }

    func attach(_ channel: Channel) {
        let closed: String? = lock.withLock { _ in
            // Bytes that arrived after NETINFO, before attachment (whole cells and a partial one),
            // go to the channel's framer as they are, before any later bytes can reach it (the I/O
            // thread delivers to the channel once it is set): nothing lost, framing stays aligned.
            // No circuit is registered yet, so nothing is dispatched under this lock.
            let leftover = handshakeFramer.takeBufferedBytes()
            if !leftover.isEmpty { channel.adoptLeftover(leftover) }
            handshakeQueue = nil
            // Kept only while its I/O runs: the box is reachable from the channel (channel → its
            // ChannelIO → the receive closure → this box), so holding a closed channel here would
            // keep it, its TLS session and its buffers alive forever.
            if closedReason == nil { self.channel = channel }
            return closedReason
        }
        if let closed { channel.markClosed(closed) }
    }

    /// The I/O thread has ended: the channel is told, and let go (see ``attach(_:)``).
    func close(_ reason: String) {
        let target: Channel? = lock.withLock { _ in
            closedReason = reason
            handshakeQueue?.finish(throwing: ChannelError.closed(reason))
            defer { channel = nil }
            return channel
        }
        target?.markClosed(reason)
    }
}

func ipv4Bytes(_ host: String) -> [UInt8]? {
    let parts = host.split(separator: ".").compactMap { UInt8($0) }
    return parts.count == 4 ? parts : nil
}

func ipv6Bytes(_ host: String) -> [UInt8]? {
    var address = in6_addr()
    guard inet_pton(AF_INET6, host, &address) == 1 else { return nil }
    return withUnsafeBytes(of: &address) { Array($0) }
}
