import Synchronization
import TorCrypto
import TorProto
import XCTest
@testable import TorCircuits

/// The relays' side of one hop: tor1 (or onion-service) crypto as the relay runs it, so cells the
/// test injects are encrypted exactly as on the wire and the client recognizes them by digest.
final class RelaySideHop: @unchecked Sendable {
    let forwardCipher: AESCTR
    let backwardCipher: AESCTR
    let forwardDigest: RunningDigest
    let backwardDigest: RunningDigest
    /// The full forward digest after the last cell this hop recognized: a circuit SENDME's tag.
    private(set) var lastForwardDigest: [UInt8] = []

    init(keys: HopKeys) throws {
        forwardCipher = try AESCTR(key: keys.forwardKey)
        backwardCipher = try AESCTR(key: keys.backwardKey)
        let algorithm: RunningDigest.Algorithm = keys.forwardDigestSeed.count == 32 ? .sha3_256 : .sha1
        forwardDigest = RunningDigest(algorithm)
        forwardDigest.update(keys.forwardDigestSeed)
        backwardDigest = RunningDigest(algorithm)
        backwardDigest.update(keys.backwardDigestSeed)
    }

    /// After removing this hop's layer: whether the cell is for this hop (digest and recognized).
    func recognizes(_ payload: [UInt8]) -> Bool {
        guard payload[1] == 0 && payload[2] == 0 else { return false }
        var zeroed = payload
        for index in 0..<4 { zeroed[RelayMessage.digestOffset + index] = 0 }
        let trial = RunningDigest(forwardDigest.algorithm)
        trial.copyState(from: forwardDigest)
        trial.update(zeroed)
        let digest = trial.currentDigest()
        guard Array(digest.prefix(4)) == Array(payload[RelayMessage.digestOffset..<RelayMessage.digestOffset + 4]) else {
            return false
        }
        forwardDigest.update(zeroed)
        lastForwardDigest = Array(forwardDigest.currentDigest().prefix(20))
        return true
    }

    /// Seals a payload this hop originates (backward digest).
    func seal(_ payload: inout [UInt8]) {
        for index in 0..<4 { payload[RelayMessage.digestOffset + index] = 0 }
        backwardDigest.update(payload)
        let digest = backwardDigest.currentDigest()
        for index in 0..<4 { payload[RelayMessage.digestOffset + index] = digest[index] }
    }
}

/// Plays every relay of a circuit (and the onion service's virtual hop) against a real
/// ``Circuit``: answers CREATE_FAST, decrypts what the client sends, and injects cells from
/// any hop, honest or hostile.
final class HostilePath: CircuitTransport, @unchecked Sendable {
    struct Received {
        var hop: Int
        var message: RelayMessage
    }

    private let lock = Mutex(())
    private var handler: (any CircuitCellHandler)?
    private(set) var hops: [RelaySideHop] = []
    /// Relay messages the client sent, decrypted at the hop they were for.
    private(set) var received: [Received] = []
    /// Channel-level cells the client sent (DESTROY etc.).
    private(set) var cells: [Cell] = []
    let circuitID: UInt32 = 0x8000_0001
    private var pendingFastReply: [UInt8]?

    func send(_ cell: Cell) {
        let reply: Cell? = lock.withLock { _ in
            cells.append(cell)
            switch cell.command {
            case .createFast:
                let y = SecureRandom.bytes(20)
                let k = KDFTor.derive(cell.payload.prefix(20) + y, outputLength: 92)
                // The first hop derives the same keys; it decrypts with Kf and encrypts with Kb.
                hops.append(try! RelaySideHop(keys: HopKeys(tor1Material: Array(k[20..<92]))))
                return Cell(circuitID: circuitID, command: .createdFast, payload: y + Array(k[0..<20]))
            case .relay, .relayEarly:
                var payload = cell.payload
                for (index, hop) in hops.enumerated() {
                    hop.forwardCipher.apply(&payload)
                    if hop.recognizes(payload) {
                        if let message = try? RelayMessage(payload: payload) { received.append(Received(hop: index, message: message)) }
                        break
                    }
                }
                return nil
            default:
                return nil
            }
        }
        if let reply { deliver(reply) }
    }

    func register(_ handler: any CircuitCellHandler) throws -> UInt32 {
        lock.withLock { _ in self.handler = handler }
        return circuitID
    }

    func unregister(_ id: UInt32) {}

    /// Adds a hop with fresh keys on both sides (hops after the first; the last may be the virtual hop).
    func appendHop(to circuit: Circuit, name: String, onionService: Bool = false) throws {
        let material = SecureRandom.bytes(onionService ? 128 : 72)
        let keys = onionService ? HopKeys(onionServiceMaterial: material) : HopKeys(tor1Material: material)
        try circuit.appendHop(name: name, keys: keys)
        let relay = try RelaySideHop(keys: keys)
        lock.withLock { _ in hops.append(relay) }
    }

    /// Encrypts `message` as hop `hop` would (its digest and layer, then every earlier hop's
    /// layer) and hands the cell to the circuit as its channel would.
    func inject(_ message: RelayMessage, fromHop hop: Int) {
        let cell: Cell = lock.withLock { _ in
            var payload = try! message.encodedPayload(padding: { [UInt8](repeating: 0, count: $0) })
            hops[hop].seal(&payload)
            for index in stride(from: hop, through: 0, by: -1) { hops[index].backwardCipher.apply(&payload) }
            return Cell(circuitID: circuitID, command: .relay, payload: payload)
        }
        deliver(cell)
    }

    /// Hands a raw channel cell to the circuit.
    func deliver(_ cell: Cell) {
        let handler = lock.withLock { _ in self.handler }
        handler?.handle(cell)
    }

    var receivedMessages: [Received] { lock.withLock { _ in received } }
    var sentCells: [Cell] { lock.withLock { _ in cells } }
    func lastForwardDigest(hop: Int) -> [UInt8] { lock.withLock { _ in hops[hop].lastForwardDigest } }

    /// Whether the client closed the circuit with DESTROY(PROTOCOL).
    var destroyedForProtocolViolation: Bool {
        sentCells.contains { $0.command == .destroy && $0.payload.first == DestroyReason.protocolViolation.rawValue }
    }

    /// A circuit as an onion-service rendezvous circuit looks once joined: guard (real CREATE_FAST),
    /// middle, rendezvous point, and the service's virtual hop.
    static func onionServiceCircuit(sendmeAcceptMinVersion: Int = 1) async throws -> (Circuit, HostilePath) {
        let path = HostilePath()
        let circuit = try await Circuit.createFast(over: path, name: "guard", timeout: 5,
                                                   sendmeAcceptMinVersion: sendmeAcceptMinVersion)
        try path.appendHop(to: circuit, name: "middle")
        try path.appendHop(to: circuit, name: "rendezvous point")
        try path.appendHop(to: circuit, name: "device.onion", onionService: true)
        return (circuit, path)
    }

    /// A rendezvous circuit before the service joins: guard, middle, rendezvous point (hop 2),
    /// with RENDEZVOUS2 announced from the rendezvous point.
    static func rendezvousCircuitAwaitingRendezvous2() async throws -> (Circuit, HostilePath) {
        let path = HostilePath()
        let circuit = try await Circuit.createFast(over: path, name: "guard", timeout: 5, sendmeAcceptMinVersion: 1)
        try path.appendHop(to: circuit, name: "middle")
        try path.appendHop(to: circuit, name: "rendezvous point")
        circuit.expect([.rendezvous2], fromHop: 2)
        return (circuit, path)
    }

    /// Opens a stream at the last hop: the last hop answers CONNECTED, as the service would.
    func openStream(on circuit: Circuit) async throws -> TorStream {
        let last = circuit.hopCount - 1
        let beginsBefore = receivedMessages.filter { $0.message.command == .begin }.count
        async let stream = circuit.openStream(.begin, body: BeginMessage(address: "", port: 80).encoded(), timeout: 5)
        let begin = try await waitForMessage(.begin, count: beginsBefore + 1)
        XCTAssertEqual(begin.hop, last, "BEGIN goes to the last hop")
        inject(RelayMessage(command: .connected, streamID: begin.message.streamID), fromHop: last)
        return try await stream
    }

    /// Waits (bounded) until the client has sent a message with `command`.
    func waitForMessage(_ command: RelayCommand, count: Int = 1) async throws -> Received {
        for _ in 0..<500 {
            let matching = receivedMessages.filter { $0.message.command == command }
            if matching.count >= count { return matching[count - 1] }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CircuitError.timedOut("the test waited for \(command)")
    }
}

/// Asserts that `error` is the circuit closing for a protocol violation mentioning `fragment`.
func assertProtocolViolation(_ error: (any Error)?, mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    var detail: String?
    if case let .protocolViolation(text)? = error as? CircuitError { detail = text }
    if case let .circuitFailed(.protocolViolation(text))? = error as? StreamError { detail = text }
    guard let detail else {
        XCTFail("expected a protocol violation, got \(String(describing: error))", file: file, line: line)
        return
    }
    XCTAssertTrue(detail.contains(fragment), "'\(detail)' should mention '\(fragment)'", file: file, line: line)
}
