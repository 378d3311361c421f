import TorCrypto
import TorProto
import XCTest
@testable import TorCircuits

/// Every relay on a path may lie. Each test builds a real circuit (CREATE_FAST and tor1 / onion
/// service hop crypto exactly as on the wire), injects a cell from the wrong hop or at the wrong
/// time, and proves that the stream never sees it and the circuit closes with DESTROY(PROTOCOL).
final class HostileHopTests: XCTestCase {
    // Hops of HostilePath.onionServiceCircuit().
    let guardHop = 0, middleHop = 1, rendezvousHop = 2, serviceHop = 3

    // MARK: Stream cells bound to their hop

    func testDataFromTheMiddleHopNeverReachesAnOnionServiceStream() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .data, streamID: stream.streamID, data: Array("forged 35.0 C".utf8)), fromHop: middleHop)
        do {
            let bytes = try await stream.read()
            XCTFail("the stream delivered a forged answer: \(String(describing: bytes.map { String(decoding: $0, as: UTF8.self) }))")
        } catch {
            assertProtocolViolation(error, mentioning: "hop 2 (middle) sent DATA for stream")
        }
        XCTAssertFalse(circuit.isOpen)
        XCTAssertTrue(path.destroyedForProtocolViolation)
    }

    func testDataFromTheServiceHopIsDelivered() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .data, streamID: stream.streamID, data: Array("21.5".utf8)), fromHop: serviceHop)
        let bytes = try await stream.read()
        XCTAssertEqual(bytes, Array("21.5".utf8))
        XCTAssertTrue(circuit.isOpen)
    }

    func testConnectedFromTheGuardDoesNotOpenAStream() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        async let opening = circuit.openStream(.begin, body: BeginMessage(address: "", port: 80).encoded(), timeout: 5)
        let begin = try await path.waitForMessage(.begin)
        path.inject(RelayMessage(command: .connected, streamID: begin.message.streamID), fromHop: guardHop)
        do {
            _ = try await opening
            XCTFail("a CONNECTED from the guard opened the stream")
        } catch {
            assertProtocolViolation(error, mentioning: "hop 1 (guard) sent CONNECTED")
        }
        XCTAssertTrue(path.destroyedForProtocolViolation)
    }

    func testEndFromTheRendezvousPointDoesNotEndTheStream() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .end, streamID: stream.streamID, data: [EndReason.done.rawValue]), fromHop: rendezvousHop)
        do {
            let bytes = try await stream.read()
            XCTFail("a forged END ended the stream cleanly (read \(String(describing: bytes)))")
        } catch {
            assertProtocolViolation(error, mentioning: "hop 3 (rendezvous point) sent END")
        }
        XCTAssertFalse(circuit.isOpen)
    }

    func testStreamSendmeFromAnotherHopIsRefused() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .sendme, streamID: stream.streamID), fromHop: middleHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "hop 2 (middle) sent SENDME for stream")
    }

    func testCellsForAStreamThatWasNeverOpenedCloseTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        path.inject(RelayMessage(command: .data, streamID: stream.streamID &+ 1, data: [1]), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "which this circuit never opened")
    }

    func testLateCellsOnAStreamWeEndedAreAcceptedFromItsHopOnly() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        let id = stream.streamID
        stream.close()
        // Cells the service sent before it saw our END: accepted (and dropped).
        path.inject(RelayMessage(command: .data, streamID: id, data: [1, 2, 3]), fromHop: serviceHop)
        path.inject(RelayMessage(command: .end, streamID: id, data: [EndReason.done.rawValue]), fromHop: serviceHop)
        XCTAssertTrue(circuit.isOpen, "late cells from the stream's own hop are normal: \(String(describing: circuit.failure))")
        // After its END, the ID is unknown again.
        path.inject(RelayMessage(command: .data, streamID: id, data: [1]), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
    }

    func testLateCellsOnAStreamWeEndedFromAnotherHopCloseTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        stream.close()
        path.inject(RelayMessage(command: .data, streamID: stream.streamID, data: [1]), fromHop: middleHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "for closed stream")
    }

    // MARK: Circuit SENDMEs

    /// Sends 100 DATA cells to the service hop: the point where a circuit SENDME becomes due.
    private func sendHundredCells(_ stream: TorStream, _ path: HostilePath) async throws {
        try await stream.write([UInt8](repeating: 7, count: RelayMessage.maxDataLength * 100))
        _ = try await path.waitForMessage(.data, count: 100)
    }

    func testVersion0CircuitSendmeIsRefusedWhereVersion1IsRequired() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 1)
        let stream = try await path.openStream(on: circuit)
        try await sendHundredCells(stream, path)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v0.encoded()), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "version 0 circuit SENDME")
    }

    func testAuthenticatedCircuitSendmeWithTheRightDigestIsAccepted() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 1)
        let stream = try await path.openStream(on: circuit)
        try await sendHundredCells(stream, path)
        let tag = path.lastForwardDigest(hop: serviceHop)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: tag).encoded()), fromHop: serviceHop)
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")
    }

    func testUnparsableCircuitSendmeIsAViolation() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 0)
        let stream = try await path.openStream(on: circuit)
        try await sendHundredCells(stream, path)
        path.inject(RelayMessage(command: .sendme, data: [9, 0, 1, 0]), fromHop: serviceHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "unparsable circuit SENDME")
    }

    func testConcurrentWritersNeverOverdrawTheCircuitWindow() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        var streams = [TorStream]()
        for _ in 0..<3 { streams.append(try await path.openStream(on: circuit)) }
        // 3 × 400 cells = 1200 against a circuit window of 1000 and no SENDME: exactly 1000 may go.
        let writers = streams.map { stream in
            Task { try await stream.write([UInt8](repeating: 1, count: RelayMessage.maxDataLength * 400)) }
        }
        _ = try await path.waitForMessage(.data, count: 1000)
        try await Task.sleep(for: .milliseconds(200))
        let sent = path.receivedMessages.filter { $0.message.command == .data }.count
        XCTAssertEqual(sent, Circuit.circuitWindowStart, "the circuit window was overdrawn")
        circuit.destroy()
        for writer in writers { _ = await writer.result }
    }

    // MARK: Handshakes and announced messages

    func testCreated2OutOfTurnClosesTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        path.deliver(Cell(circuitID: path.circuitID, command: .created2, payload: [UInt8](repeating: 0, count: 66)))
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "CREATED2 when no such handshake was pending")
        XCTAssertTrue(path.destroyedForProtocolViolation)
    }

    func testExtended2WithoutAPendingExtendClosesTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        path.inject(RelayMessage(command: .extended2, data: [0, 64] + [UInt8](repeating: 1, count: 64)), fromHop: rendezvousHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "EXTENDED2 when no extension through it was pending")
    }

    func testRendezvous2IsAcceptedOnlyFromTheRendezvousPointAndOnlyOnce() async throws {
        let (circuit, path) = try await HostilePath.rendezvousCircuitAwaitingRendezvous2()
        path.inject(RelayMessage(command: .rendezvous2, data: [UInt8](repeating: 5, count: 64)), fromHop: 2)
        let (hop, message) = try await circuit.nextMessage(timeout: 5, what: "waiting for RENDEZVOUS2")
        XCTAssertEqual(hop, 2)
        XCTAssertEqual(message.command, .rendezvous2)
        // A second one was not announced.
        path.inject(RelayMessage(command: .rendezvous2, data: [UInt8](repeating: 6, count: 64)), fromHop: 2)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "which the circuit was not waiting for")
    }

    func testRendezvous2FromTheMiddleHopIsRefused() async throws {
        let (circuit, path) = try await HostilePath.rendezvousCircuitAwaitingRendezvous2()
        path.inject(RelayMessage(command: .rendezvous2, data: [UInt8](repeating: 5, count: 64)), fromHop: 1)
        do {
            _ = try await circuit.nextMessage(timeout: 5, what: "waiting for RENDEZVOUS2")
            XCTFail("RENDEZVOUS2 from the middle hop was delivered")
        } catch {
            assertProtocolViolation(error, mentioning: "hop 2 (middle) sent RENDEZVOUS2")
        }
    }

    func testIntroduceAckNobodyWaitsForClosesTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        path.inject(RelayMessage(command: .introduceAck, data: [0, 0, 0]), fromHop: rendezvousHop)
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "INTRODUCE_ACK, which the circuit was not waiting for")
    }

    // MARK: Floods cost bounded memory

    func testAFloodOfUnannouncedMessagesClosesTheCircuitAtTheFirst() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        for _ in 0..<1_000 {
            path.inject(RelayMessage(command: .rendezvousEstablished), fromHop: rendezvousHop)
        }
        XCTAssertFalse(circuit.isOpen)
        XCTAssertEqual(circuit.events.count, 0, "nothing unannounced was queued")
    }

    func testADeviceThatOverrunsTheStreamWindowWhileTheReaderIsSlowEndsWithAClearError() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        let stream = try await path.openStream(on: circuit)
        // A device that ignores SENDMEs (as Minitor does) keeps sending; nobody reads.
        for _ in 0..<2_000 where circuit.isOpen {
            path.inject(RelayMessage(command: .data, streamID: stream.streamID, data: [UInt8](repeating: 3, count: 498)),
                        fromHop: serviceHop)
        }
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "overran stream")
        // What was buffered for the slow reader is bounded by the window, then the error follows.
        var cells = 0
        do {
            while let chunk = try await stream.read() { cells += chunk.count / 498 }
            XCTFail("the stream ended cleanly after an overrun")
        } catch {
            assertProtocolViolation(error, mentioning: "overran stream")
        }
        XCTAssertLessThanOrEqual(cells, Circuit.streamWindowStart)
    }

    func testRelayEarlyTowardsTheClientClosesTheCircuit() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit()
        path.deliver(Cell(circuitID: path.circuitID, command: .relayEarly, payload: [UInt8](repeating: 0, count: Cell.payloadLength)))
        XCTAssertFalse(circuit.isOpen)
        assertProtocolViolation(circuit.failure, mentioning: "RELAY_EARLY")
    }

    // MARK: Minitor's stream cells (seeds-minitor.md §1.4: CONNECTED, 498-byte DATA, no END)

    func testMinitorStyleStreamsWithoutEndLeaveTheCircuitUsable() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 0)
        for request in 0..<3 {
            let stream = try await path.openStream(on: circuit)
            // Each local read of at most 498 bytes becomes one DATA cell; Minitor never sends END.
            let body = [UInt8](repeating: UInt8(request), count: 498 * 2 + 17)
            for start in stride(from: 0, to: body.count, by: 498) {
                path.inject(RelayMessage(command: .data, streamID: stream.streamID,
                                         data: Array(body[start..<min(start + 498, body.count)])), fromHop: serviceHop)
            }
            var received = [UInt8]()
            while received.count < body.count, let chunk = try await stream.read() { received += chunk }
            XCTAssertEqual(received, body)
            stream.close()
        }
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")
        // Minitor (master) answers 100 DATA cells with a version 0 circuit SENDME: accepted where the
        // consensus allows version 0, as C tor does.
        let upload = try await path.openStream(on: circuit)
        try await sendHundredCells(upload, path)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v0.encoded()), fromHop: serviceHop)
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")
    }
}
