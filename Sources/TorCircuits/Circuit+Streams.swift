import FoundationEssentials
import TorProto

// Streams: opening, flow-controlled sending, consumption-driven SENDMEs, and ending.
extension Circuit {
    /// Opens a stream at the last hop with `begin` (BEGIN or BEGIN_DIR) and waits for CONNECTED.
    public func openStream(_ command: RelayCommand, body: [UInt8] = [], timeout: TimeInterval = 20) async throws -> TorStream {
        // A stream buffers at most its window of DATA cells (under congestion control, what XOFF
        // lets through: ``StreamFlow/bufferLimit``), plus CONNECTED.
        let flow = state.withLock { state in state.hops.last?.congestion.map { StreamFlow(parameters: $0.vegas.parameters) } }
        let events = AsyncQueue<StreamEvent>(capacity: (flow?.bufferLimit ?? Circuit.streamWindowStart) + 1)
        let (streamID, hop) = try state.withLock { state -> (UInt16, Int) in
            if let failure = state.failure { throw failure }
            guard state.hops.last?.congestion.map({ StreamFlow(parameters: $0.vegas.parameters) }) == flow else {
                throw CircuitError.protocolViolation("congestion control changed while a stream was being opened")
            }
            var id = state.nextStreamID
            for _ in 0..<65_536 {
                if id != 0 && state.streams[id] == nil && state.halfClosed[id] == nil { break }
                id = id &+ 1
            }
            state.nextStreamID = id &+ 1
            let hop = state.hops.count - 1
            state.streams[id] = StreamState(hop: hop, events: events, flow: flow)
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

    /// Sends DATA on a stream, waiting while the circuit or stream window is empty. Each cell's
    /// window is reserved and the cell sent under one lock, so concurrent writers never overdraw.
    func sendData(_ bytes: ArraySlice<UInt8>, streamID: UInt16) async throws {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let chunkEnd = min(offset + RelayMessage.maxDataLength, bytes.endIndex)
            let message = RelayMessage(command: .data, streamID: streamID, data: Array(bytes[offset..<chunkEnd]))
            while try !sendIfWindowAllows(message) {
                try await waitForWindow(streamID: streamID)
            }
            offset = chunkEnd
        }
    }

    /// Sends one DATA cell if both windows allow it, consuming them; `false` if a window is empty.
    private func sendIfWindowAllows(_ message: RelayMessage) throws -> Bool {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            guard var stream = state.streams[message.streamID] else { throw StreamError.closed }
            guard Self.windowOpen(state, stream) else { return false }
            try sendLocked(&state, message, toHop: stream.hop, early: false)
            if stream.flow == nil { stream.packageWindow -= 1 }
            state.streams[message.streamID] = stream
            return true
        }
    }

    /// Returns once a window may have opened (a SENDME), the stream ended, the circuit failed or
    /// the task was cancelled; the caller looks again.
    private func waitForWindow(streamID: UInt16) async throws {
        try Task.checkCancellation()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.failure == nil, let stream = state.streams[streamID] else { return true }
                    if Self.windowOpen(state, stream) { return true }
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
        try Task.checkCancellation()
    }

    /// The reader consumed `cells` DATA cells: once 50 are consumed, a stream SENDME lets the
    /// other end send 50 more. Tying SENDMEs to consumption bounds what a slow reader buffers.
    func consumed(cells: Int, streamID: UInt16) {
        state.withLock { state in
            guard var stream = state.streams[streamID] else { return }
            if stream.flow != nil {
                consumedFlowControlled(&state, &stream, cells: cells, id: streamID)
                state.streams[streamID] = stream
                return
            }
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

    /// Sends END for a stream we close; the other end's cells already in flight are still
    /// accepted (from the same hop, within its window) and then dropped.
    func endStream(_ streamID: UInt16) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard let stream = state.streams.removeValue(forKey: streamID) else { return [] }
            let allowed = stream.flow?.bufferLimit ?? max(stream.deliverWindow, 0)
            state.rememberHalfClosed(streamID, HalfClosedStream(hop: stream.hop, dataAllowed: allowed))
            try? sendLocked(&state, RelayMessage(command: .end, streamID: streamID, data: [EndReason.misc.rawValue]),
                            toHop: stream.hop, early: false)
            return state.takeWindowWaiters()
        }
        for waiter in waiters { waiter.resume() }
    }
}
