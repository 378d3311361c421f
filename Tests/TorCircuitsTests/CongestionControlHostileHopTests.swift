import TorCrypto
import TorProto
import XCTest
@testable import TorCircuits

/// The hostile-path rules for congestion control (proposals 324 and 344) on a rendezvous circuit
/// whose virtual hop runs it: circuit SENDMEs every `sendme_inc` cells, XON/XOFF only from the
/// stream's hop and only under congestion control, no stream SENDMEs, and a bound on what a peer
/// that ignores XOFF can make us buffer.
final class CongestionControlHostileHopTests: XCTestCase {
    let middleHop = 1, rendezvousHop = 2, serviceHop = 3

    func congestionControlledCircuit() async throws -> (Circuit, HostilePath) {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        try circuit.enableCongestionControl(onHop: serviceHop, parameters: CongestionControlParameters(), sendmeIncrement: 31)
        return (circuit, path)
    }

    func data(_ stream: TorStream, _ count: Int = 498) -> RelayMessage {
        RelayMessage(command: .data, streamID: stream.streamID, data: [UInt8](repeating: 5, count: count))
    }

    func testCircuitSendmeGoesEverySendmeIncrementCellsWithTheDigest() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        for _ in 0..<62 { path.inject(data(stream), fromHop: serviceHop) }
        let sendme = try await path.waitForMessage(.sendme, count: 2)
        XCTAssertEqual(sendme.hop, serviceHop)
        XCTAssertEqual(sendme.message.streamID, 0)
        XCTAssertEqual(path.receivedMessages.filter { $0.message.command == .sendme }.count, 2, "one per 31 cells, no stream SENDMEs")
        XCTAssertTrue(circuit.isOpen)
    }

    func testStreamSendmeUnderCongestionControlIsAViolation() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .sendme, streamID: stream.streamID), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "runs under congestion control")
    }

    func testXoffFromAnotherHopIsRefused() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .xoff, streamID: stream.streamID, data: FlowControlMessage.xoff.encoded()), fromHop: rendezvousHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "hop 3 (rendezvous point) sent XOFF for stream")
    }

    func testXonWithoutCongestionControlIsRefused() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .xon, streamID: stream.streamID, data: FlowControlMessage.xon(kilobytesPerSecond: 0).encoded()),
                    fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "has no congestion control")
    }

    func testMalformedXonIsRefused() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .xon, streamID: stream.streamID, data: [1, 0, 0, 0, 0]), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "unparsable XON")
    }

    /// XOFF stops our writer; XON from the stream's hop lets it go on.
    func testXoffPausesTheWriterUntilXon() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .xoff, streamID: stream.streamID, data: FlowControlMessage.xoff.encoded()), fromHop: serviceHop)
        let writer = Task { try await stream.write([UInt8](repeating: 9, count: 2000)) }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(path.receivedMessages.filter { $0.message.command == .data }.count, 0, "nothing sent while XOFF holds")
        path.inject(RelayMessage(command: .xon, streamID: stream.streamID, data: FlowControlMessage.xon(kilobytesPerSecond: 0).encoded()),
                    fromHop: serviceHop)
        try await withTimeout(5, error: CircuitError.timedOut("the writer after XON")) { try await writer.value }
        XCTAssertEqual(path.receivedMessages.filter { $0.message.command == .data }.count, 5)
        XCTAssertEqual(circuit.flowControlCounts.xoffReceived, 1)
        XCTAssertEqual(circuit.flowControlCounts.xonReceived, 1)
        XCTAssertTrue(circuit.isOpen)
    }

    /// Nobody reads: at 500 unread cells we send one XOFF; a peer that keeps sending anyway is
    /// closed at the buffer bound, and no more than that was buffered.
    func testPeerIgnoringXoffIsClosedAtTheBufferBound() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        let limit = StreamFlow(parameters: CongestionControlParameters()).bufferLimit
        for _ in 0..<(limit + 100) where circuit.isOpen { path.inject(data(stream, 1), fromHop: serviceHop) }
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "kept sending on stream")
        XCTAssertEqual(path.receivedMessages.filter { $0.message.command == .xoff }.count, 1)
        var cells = 0
        do {
            while let chunk = try await stream.read() { cells += chunk.count }
        } catch {
            assertProtocolViolation(error, mentioning: "kept sending on stream")
        }
        XCTAssertLessThanOrEqual(cells, limit)
    }

    /// After XOFF, reading down to half the threshold sends XON (rate 0: no advice).
    func testReaderDrainingSendsXon() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        for _ in 0..<500 { path.inject(data(stream, 1), fromHop: serviceHop) }
        _ = try await path.waitForMessage(.xoff)
        var read = 0
        while read < 500, let chunk = try await stream.read() { read += chunk.count }
        let xon = try await path.waitForMessage(.xon)
        XCTAssertEqual(xon.hop, serviceHop)
        XCTAssertEqual(try FlowControlMessage(command: .xon, body: xon.message.data), .xon(kilobytesPerSecond: 0))
        XCTAssertTrue(circuit.isOpen)
    }

    /// A circuit SENDME under congestion control must carry the digest of the cell that provoked it.
    func testCircuitSendmeWithWrongDigestIsRefused() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        try await stream.write([UInt8](repeating: 1, count: 498 * 31))
        _ = try await path.waitForMessage(.data, count: 31)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: [UInt8](repeating: 0, count: 20)).encoded()), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "wrong digest")
    }

    func testCircuitSendmeWithTheRightDigestFeedsVegas() async throws {
        let (circuit, path) = try await congestionControlledCircuit()
        let stream = try await path.openStream(on: circuit)
        try await stream.write([UInt8](repeating: 1, count: 498 * 31))
        _ = try await path.waitForMessage(.data, count: 31)
        XCTAssertEqual(circuit.congestionState(hop: serviceHop)?.inflight, 31)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: path.lastForwardDigest(hop: serviceHop)).encoded()),
                    fromHop: serviceHop)
        XCTAssertTrue(circuit.isOpen)
        let vegas = try XCTUnwrap(circuit.congestionState(hop: serviceHop))
        XCTAssertEqual(vegas.inflight, 0)
        // inflight 31 + cc_cwnd_full_gap (4) × 31 ≥ 124 counts as full: slow start adds 31.
        XCTAssertEqual(vegas.cwnd, 155)
        XCTAssertGreaterThan(vegas.minRTT, 0)
    }
}

/// The same rules on an exit-style circuit whose last relay negotiated congestion control in its
/// ntor v3 handshake (guard and middle keep fixed windows): SENDMEs and XON/XOFF are taken only
/// from the hop that runs it, and ours go only to it.
final class ExitCongestionControlHostileHopTests: XCTestCase {
    let middleHop = 1, exitHop = 2

    func exitCircuit() async throws -> (Circuit, HostilePath) {
        let path = HostilePath()
        let circuit = try await Circuit.createFast(over: path, name: "guard", timeout: 5, sendmeAcceptMinVersion: 1)
        try path.appendHop(to: circuit, name: "middle")
        try path.appendHop(to: circuit, name: "exit")
        try circuit.enableCongestionControl(onHop: exitHop, parameters: CongestionControlParameters(path: .exit), sendmeIncrement: 31)
        return (circuit, path)
    }

    func testSendmesGoToTheExitEverySendmeIncrementCells() async throws {
        let (circuit, path) = try await exitCircuit()
        let stream = try await path.openStream(on: circuit)
        for _ in 0..<31 { path.inject(RelayMessage(command: .data, streamID: stream.streamID, data: [1]), fromHop: exitHop) }
        let sendme = try await path.waitForMessage(.sendme)
        XCTAssertEqual(sendme.hop, exitHop)
        XCTAssertEqual(sendme.message.streamID, 0)
        XCTAssertFalse(circuit.usesCongestionControl(hop: middleHop))
        XCTAssertTrue(circuit.isOpen)
    }

    func testXoffFromTheMiddleForAnExitStreamIsRefused() async throws {
        let (circuit, path) = try await exitCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .xoff, streamID: stream.streamID, data: FlowControlMessage.xoff.encoded()), fromHop: middleHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "hop 2 (middle) sent XOFF for stream")
    }

    /// The middle runs fixed windows and was sent nothing: its circuit SENDME overflows its window.
    func testCircuitSendmeFromTheMiddleIsRefused() async throws {
        let (circuit, path) = try await exitCircuit()
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: [UInt8](repeating: 0, count: 20)).encoded()),
                    fromHop: middleHop)
        XCTAssertFalse(circuit.isOpen)
        XCTAssertTrue(path.destroyedForProtocolViolation)
    }
}
