import TorCrypto
import TorProto

// Inbound cells, on the channel's I/O thread. Each cell is checked against where it came from and
// what the circuit is waiting for; whatever the spec does not allow there closes the circuit.
extension Circuit {
    func channelClosed(_ reason: String) { fail(.channelClosed(reason)) }

    func handle(_ cell: Cell) {
        switch cell.command {
        case .created2, .createdFast:
            let accepted = state.withLock { state -> Bool in
                guard state.failure == nil, state.pendingHandshake == .create(reply: cell.command) else { return false }
                state.pendingHandshake = .none
                return true
            }
            if accepted {
                deliver(.created(cell.payload))
            } else {
                protocolViolation("the first relay sent \(cell.command) when no such handshake was pending")
            }
        case .destroy:
            transport.unregister(cell.circuitID)
            fail(.destroyed(DestroyReason(rawValue: cell.payload.first ?? 0), byRelay: true))
        case .relay:
            handleRelay(cell.payload)
        case .relayEarly:
            protocolViolation("the first relay sent RELAY_EARLY towards the client")
        default:
            protocolViolation("the first relay sent a \(cell.command) cell on a client circuit")
        }
    }

    /// Queues an event for the circuit's owner; a full queue means a relay sent more than anyone
    /// waits for, which closes the circuit.
    private func deliver(_ event: CircuitEvent) {
        if !events.push(event) && isOpen { protocolViolation("a relay sent more messages than the circuit waits for") }
    }

    private func deliver(_ event: StreamEvent, to queue: AsyncQueue<StreamEvent>, stream id: UInt16) {
        if !queue.push(event) && isOpen { protocolViolation("stream \(id) received more than its window allows") }
    }

    /// Closes the circuit for a violation: DESTROY(PROTOCOL) to the first relay, and every stream
    /// and waiter learns ``CircuitError/protocolViolation(_:)`` with `detail`.
    func protocolViolation(_ detail: String) {
        let (id, alreadyFailed) = state.withLock { ($0.id, $0.failure != nil) }
        if alreadyFailed { return }
        fail(.protocolViolation(detail))
        transport.send(Cell(circuitID: id, command: .destroy, payload: [DestroyReason.protocolViolation.rawValue]))
        transport.unregister(id)
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
                violation = "malformed relay cell from \(state.describe(hop: hop)): \(error)"
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
        let command = message.command
        if command == .data, state.hops[hop].congestion != nil {
            countDeliveredForCongestionSendme(&state, from: hop)
        } else if command == .data {
            state.hops[hop].deliverWindow -= 1
            if state.hops[hop].deliverWindow < 0 { return "\(state.describe(hop: hop)) overran the circuit window" }
            if state.hops[hop].deliverWindow <= Circuit.circuitWindowStart - Circuit.circuitWindowIncrement {
                let tag = state.hops[hop].crypto.lastBackwardDigest
                state.hops[hop].deliverWindow += Circuit.circuitWindowIncrement
                try? sendLocked(&state, RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: tag).encoded()),
                                toHop: hop, early: false)
            }
        }
        switch command {
        case .data, .connected, .end, .xon, .xoff:
            return routeStreamMessage(&state, message, from: hop, deliveries: &deliveries)
        case .sendme:
            if message.streamID == 0 { return handleCircuitSendme(&state, message, from: hop, deliveries: &deliveries) }
            return routeStreamMessage(&state, message, from: hop, deliveries: &deliveries)
        case .extended2:
            guard state.pendingHandshake == .extend(lastHop: hop) else {
                return "\(state.describe(hop: hop)) sent EXTENDED2 when no extension through it was pending"
            }
            state.pendingHandshake = .none
            let body = message.data
            deliveries.append { [weak self] in self?.deliver(.extended(body)) }
        case .truncated:
            let reason = DestroyReason(rawValue: message.data.first ?? 0)
            deliveries.append { [weak self] in self?.fail(.truncated(reason)) }
        case .drop:
            // Long-range padding: allowed from any hop, and costs nothing to keep.
            break
        default:
            if command.isStreamCommand || message.streamID != 0 {
                return "\(state.describe(hop: hop)) sent \(command) (stream \(message.streamID)), which a client never accepts"
            }
            guard let index = state.expectations.firstIndex(where: { $0.hop == hop && $0.commands.contains(command) }) else {
                return "\(state.describe(hop: hop)) sent \(command), which the circuit was not waiting for"
            }
            state.expectations.remove(at: index)
            deliveries.append { [weak self] in self?.deliver(.message(hop: hop, message)) }
        }
        return nil
    }

    /// DATA, CONNECTED, END and stream SENDMEs: only from the hop the stream was opened on.
    private func routeStreamMessage(_ state: inout State, _ message: RelayMessage, from hop: Int,
                                    deliveries: inout [() -> Void]) -> String? {
        let id = message.streamID
        let command = message.command
        // Formatted only when a violation is reported: this runs for every cell.
        let hopName = state.hops[hop].name
        var source: String { "hop \(hop + 1) (\(hopName))" }
        guard id != 0 else { return "\(source) sent \(command) without a stream ID" }
        if var stream = state.streams[id] {
            guard stream.hop == hop else {
                return "\(source) sent \(command) for stream \(id), which runs to \(state.describe(hop: stream.hop))"
            }
            let events = stream.events
            switch command {
            case .data:
                if stream.flow != nil {
                    if let violation = receivedFlowControlledData(&state, &stream, id: id, source: source) { return violation }
                } else {
                    stream.deliverWindow -= 1
                    if stream.deliverWindow < 0 {
                        return "\(source) overran stream \(id)'s window (it kept sending without the SENDMEs that allow it)"
                    }
                }
                stream.connected = true
                state.streams[id] = stream
                let data = message.data
                deliveries.append { [weak self] in self?.deliver(.data(data), to: events, stream: id) }
            case .connected:
                guard !stream.connected else { return "\(source) sent CONNECTED twice for stream \(id)" }
                stream.connected = true
                state.streams[id] = stream
                deliveries.append { [weak self] in self?.deliver(.connected, to: events, stream: id) }
            case .end:
                state.streams[id] = nil
                let reason = EndReason(endBody: message.data)
                // A writer waiting for window on this stream must learn that it ended.
                let waiters = state.takeWindowWaiters()
                deliveries.append {
                    for waiter in waiters { waiter.resume() }
                    if reason == .done { events.finish() } else { events.finish(throwing: StreamError.refused(reason)) }
                }
            case .xon, .xoff:
                return receivedFlowControl(&state, &stream, message, id: id, source: source, deliveries: &deliveries)
            default: // stream SENDME
                guard stream.flow == nil else {
                    return "\(source) sent a stream SENDME for stream \(id), which runs under congestion control (XON/XOFF instead)"
                }
                stream.packageWindow += Circuit.streamWindowIncrement
                if stream.packageWindow > Circuit.streamWindowStart { return "\(source) overflowed stream \(id)'s window with SENDMEs" }
                state.streams[id] = stream
                let waiters = state.takeWindowWaiters()
                deliveries.append { for waiter in waiters { waiter.resume() } }
            }
            return nil
        }
        if var closed = state.halfClosed[id] {
            // We ended it; cells already in flight are allowed, up to what the window let them send.
            guard closed.hop == hop else {
                return "\(source) sent \(command) for closed stream \(id), which ran to \(state.describe(hop: closed.hop))"
            }
            switch command {
            case .data:
                closed.dataAllowed -= 1
                if closed.dataAllowed < 0 { return "\(source) kept sending DATA on stream \(id) after we ended it" }
                state.halfClosed[id] = closed
            case .end:
                state.forgetHalfClosed(id)
            default:
                break
            }
            return nil
        }
        return "\(source) sent \(command) for stream \(id), which this circuit never opened"
    }

    private func handleCircuitSendme(_ state: inout State, _ message: RelayMessage, from hop: Int,
                                     deliveries: inout [() -> Void]) -> String? {
        // Formatted only when a violation is reported: this runs for every cell.
        let hopName = state.hops[hop].name
        var source: String { "hop \(hop + 1) (\(hopName))" }
        guard !state.hops[hop].expectedSendmeTags.isEmpty else { return "unexpected circuit SENDME from \(source)" }
        let sendme: SendmeMessage
        do { sendme = try SendmeMessage(body: message.data) } catch {
            return "unparsable circuit SENDME from \(source): \(error)"
        }
        let expected = state.hops[hop].expectedSendmeTags.removeFirst()
        switch sendme {
        case .v0:
            guard state.sendmeAcceptMinVersion <= 0 else {
                return "\(source) sent a version 0 circuit SENDME; the network requires version \(state.sendmeAcceptMinVersion)"
            }
        case let .v1(digest):
            guard constantTimeEquals(digest, expected) else { return "circuit SENDME from \(source) carries the wrong digest" }
        }
        state.hops[hop].circuitSendmesReceived += 1
        if state.hops[hop].congestion != nil {
            do { try state.hops[hop].congestion!.vegas.sendmeReceived(now: monotonicMicroseconds()) } catch {
                return "circuit SENDME from \(source) acknowledges data never sent"
            }
        } else {
            state.hops[hop].packageWindow += Circuit.circuitWindowIncrement
            if state.hops[hop].packageWindow > Circuit.circuitWindowStart { return "circuit SENDME from \(source) overflowed the window" }
        }
        let waiters = state.takeWindowWaiters()
        deliveries.append { for waiter in waiters { waiter.resume() } }
        return nil
    }
}
