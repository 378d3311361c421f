import Glibc
import TorProto

/// Congestion control on one hop (proposal 324): the Vegas sender state and the count of DATA
/// cells received since the last circuit SENDME we sent.
struct HopCongestion {
    var vegas: VegasController
    var deliveredSinceSendme = 0
}

/// A stream's flow control under congestion control (proposal 344): instead of SENDME windows,
/// the receiver says XOFF when too much is unread and XON when it drained.
struct StreamFlow: Equatable {
    /// Unread cells at which we send XOFF (`cc_xoff_client`).
    let xoffCells: Int
    /// Unread cells at which a peer that ignores our XOFF closes the circuit: the XOFF threshold
    /// plus twice slow start's window ceiling (`cc_ss_max`), more than a sender that stops on
    /// XOFF can have in flight. About 5 MB with the defaults.
    let bufferLimit: Int
    var unreadCells = 0
    var xoffSent = false
    /// The other end sent XOFF and no XON since: we do not send on this stream.
    var blockedByPeer = false

    init(parameters: CongestionControlParameters) {
        xoffCells = parameters.xoffClientCells
        bufferLimit = parameters.xoffClientCells + 2 * parameters.slowStartMax
    }
}

/// XON/XOFF messages a circuit sent and received (for status views and tests).
public struct FlowControlCounts: Sendable, Equatable {
    public var xoffSent = 0, xonSent = 0, xoffReceived = 0, xonReceived = 0
    public init() {}
}

/// Microseconds of the monotonic clock, for RTT measurement.
func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
}

extension Circuit {
    /// Runs congestion control with hop `hop` (0-based), as negotiated with it (an onion service
    /// that accepted the INTRODUCE1 request, or a relay's ntor v3 answer): Vegas with
    /// `parameters` instead of the fixed circuit window, circuit SENDMEs every `sendmeIncrement`
    /// cells, and XON/XOFF instead of stream windows for streams opened from now on.
    /// Call it before opening streams to that hop.
    public func enableCongestionControl(onHop hop: Int, parameters: CongestionControlParameters, sendmeIncrement: Int) throws {
        try state.withLock { state in
            guard hop >= 0 && hop < state.hops.count else {
                throw CircuitError.protocolViolation("no hop \(hop) on a \(state.hops.count)-hop circuit")
            }
            guard state.streams.values.allSatisfy({ $0.hop != hop }) else {
                throw CircuitError.protocolViolation("congestion control must start before streams open to hop \(hop + 1)")
            }
            guard state.hops[hop].packageWindow == Circuit.circuitWindowStart, state.hops[hop].expectedSendmeTags.isEmpty else {
                throw CircuitError.protocolViolation("congestion control must start before data is sent to hop \(hop + 1)")
            }
            state.hops[hop].congestion = HopCongestion(vegas: VegasController(parameters: parameters, sendmeIncrement: sendmeIncrement))
        }
    }

    /// Whether hop `hop` runs congestion control.
    public func usesCongestionControl(hop: Int) -> Bool {
        state.withLock { state in hop >= 0 && hop < state.hops.count && state.hops[hop].congestion != nil }
    }

    /// The Vegas state of hop `hop`, if it runs congestion control (for status views and tests).
    public func congestionState(hop: Int) -> VegasController? {
        state.withLock { state in hop >= 0 && hop < state.hops.count ? state.hops[hop].congestion?.vegas : nil }
    }

    /// XON/XOFF messages sent and received on this circuit so far.
    public var flowControlCounts: FlowControlCounts { state.withLock { $0.flowCounts } }

    /// Whether `stream` may send a DATA cell now.
    static func windowOpen(_ state: State, _ stream: StreamState) -> Bool {
        if let congestion = state.hops[stream.hop].congestion {
            return congestion.vegas.packageWindow > 0 && !(stream.flow?.blockedByPeer ?? false)
        }
        return stream.packageWindow > 0 && state.hops[stream.hop].packageWindow > 0
    }

    /// A DATA cell from a congestion-controlled hop: an authenticated SENDME every `sendme_inc` cells.
    func countDeliveredForCongestionSendme(_ state: inout State, from hop: Int) {
        state.hops[hop].congestion!.deliveredSinceSendme += 1
        guard state.hops[hop].congestion!.deliveredSinceSendme >= state.hops[hop].congestion!.vegas.sendmeIncrement else { return }
        state.hops[hop].congestion!.deliveredSinceSendme = 0
        let tag = state.hops[hop].crypto.lastBackwardDigest
        try? sendLocked(&state, RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: tag).encoded()), toHop: hop, early: false)
    }

    /// DATA on a flow-controlled stream: XOFF once `cc_xoff_client` cells are unread; a peer that
    /// keeps sending far past it is closed.
    func receivedFlowControlledData(_ state: inout State, _ stream: inout StreamState, id: UInt16, source: @autoclosure () -> String) -> String? {
        stream.flow!.unreadCells += 1
        if stream.flow!.unreadCells > stream.flow!.bufferLimit {
            return "\(source()) kept sending on stream \(id) after XOFF (\(stream.flow!.unreadCells) cells unread)"
        }
        if stream.flow!.unreadCells >= stream.flow!.xoffCells && !stream.flow!.xoffSent {
            stream.flow!.xoffSent = true
            state.flowCounts.xoffSent += 1
            let xoff = FlowControlMessage.xoff
            try? sendLocked(&state, RelayMessage(command: xoff.command, streamID: id, data: xoff.encoded()), toHop: stream.hop, early: false)
        }
        return nil
    }

    /// XON/XOFF from the stream's hop: only on a congestion-controlled stream.
    func receivedFlowControl(_ state: inout State, _ stream: inout StreamState, _ message: RelayMessage, id: UInt16,
                             source: @autoclosure () -> String, deliveries: inout [() -> Void]) -> String? {
        guard stream.flow != nil else {
            return "\(source()) sent \(message.command) for stream \(id), but the circuit has no congestion control"
        }
        let parsed: FlowControlMessage
        do { parsed = try FlowControlMessage(command: message.command, body: message.data) } catch {
            return "unparsable \(message.command) from \(source()): \(error)"
        }
        switch parsed {
        case .xoff:
            state.flowCounts.xoffReceived += 1
            stream.flow!.blockedByPeer = true
        case .xon:
            // The rate is advice; onionctl sends as fast as the congestion window lets it.
            state.flowCounts.xonReceived += 1
            stream.flow!.blockedByPeer = false
            let waiters = state.takeWindowWaiters()
            deliveries.append { for waiter in waiters { waiter.resume() } }
        }
        state.streams[id] = stream
        return nil
    }

    /// The reader took `cells` cells: after an XOFF, XON once half of the threshold is left unread.
    func consumedFlowControlled(_ state: inout State, _ stream: inout StreamState, cells: Int, id: UInt16) {
        stream.flow!.unreadCells = max(0, stream.flow!.unreadCells - cells)
        guard stream.flow!.xoffSent, stream.flow!.unreadCells <= stream.flow!.xoffCells / 2 else { return }
        stream.flow!.xoffSent = false
        state.flowCounts.xonSent += 1
        let xon = FlowControlMessage.xon(kilobytesPerSecond: 0)
        try? sendLocked(&state, RelayMessage(command: xon.command, streamID: id, data: xon.encoded()), toHop: stream.hop, early: false)
    }
}
