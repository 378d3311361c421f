/// The sender's side of TOR_VEGAS congestion control (proposal 324 §3.3, as C tor 0.4.9 runs it
/// in `congestion_control_vegas.c` / `congestion_control_common.c`), as a pure state machine:
/// the caller says when each DATA cell leaves and when each circuit SENDME arrives, with
/// timestamps in microseconds of a monotonic clock; the controller says how many cells may be
/// in flight.
///
/// Vegas estimates the circuit's bandwidth-delay product as `cwnd × minRTT / ewmaRTT`; what the
/// window holds above it is queued somewhere on the path. Slow start grows the window by one
/// `sendme_inc` per SENDME (RFC 3742 limited steps above `cc_sscap`) while the queue stays below
/// gamma, then drops to `bdp + gamma`; in steady state, once per update period, it shrinks to
/// `bdp + delta` on a large queue, by one step above beta, and grows by one step below alpha.
public struct VegasController: Sendable, Equatable {
    public let parameters: CongestionControlParameters
    /// Cells each circuit SENDME acknowledges (negotiated; the consensus's `cc_sendme_inc`).
    public let sendmeIncrement: Int
    /// The congestion window (cells).
    public private(set) var cwnd: Int
    /// DATA cells sent and not yet acknowledged.
    public private(set) var inflight = 0
    public private(set) var inSlowStart = true
    /// Round-trip times in microseconds: the smallest (an average, as C tor keeps it), the moving average, the largest.
    public private(set) var minRTT: UInt64 = 0, ewmaRTT: UInt64 = 0, maxRTT: UInt64 = 0
    /// The bandwidth-delay-product estimate (cells).
    public private(set) var bdp = 0
    var cwndFull = false
    var nextCongestionEvent: Int
    var nextCwndEvent = 0
    /// When each cell that will be acknowledged by a SENDME left, oldest first.
    var pendingSendTimes: [UInt64] = []

    public init(parameters: CongestionControlParameters, sendmeIncrement: Int? = nil) {
        self.parameters = parameters
        self.sendmeIncrement = max(1, sendmeIncrement ?? parameters.sendmeIncrement)
        cwnd = parameters.cwndInit
        nextCongestionEvent = 1  // CWND_UPDATE_RATE in slow start
    }

    /// How many more DATA cells may be sent now.
    public var packageWindow: Int { max(0, cwnd - inflight) }

    /// SENDMEs per congestion window, rounded (C `SENDME_PER_CWND`).
    var sendmesPerCwnd: Int { (cwnd + sendmeIncrement / 2) / sendmeIncrement }

    /// SENDMEs between steady-state updates (C `CWND_UPDATE_RATE`); 1 in slow start.
    var updateRate: Int {
        if inSlowStart { return 1 }
        let step = parameters.cwndIncrementRate * sendmeIncrement
        return (cwnd + step / 2) / step
    }

    /// Records one DATA cell sent at `now`. Returns true when it is the cell whose arrival makes
    /// the other end send a SENDME: the caller remembers its digest to check that SENDME.
    public mutating func cellSent(now: UInt64) -> Bool {
        let triggersSendme = inflight > 0 && (inflight + 1) % sendmeIncrement == 0
        inflight += 1
        if triggersSendme { pendingSendTimes.append(now) }
        return triggersSendme
    }

    /// Why a SENDME cannot be taken.
    public enum SendmeError: Error, Equatable, Sendable {
        /// No cell that would provoke a SENDME is in flight: the peer acknowledged data we never sent.
        case unexpected
    }

    /// Processes a circuit SENDME received at `now` (its digest already checked by the caller).
    public mutating func sendmeReceived(now: UInt64) throws(SendmeError) {
        guard !pendingSendTimes.isEmpty else { throw .unexpected }
        let sentAt = pendingSendTimes.removeFirst()
        if nextCongestionEvent > 0 { nextCongestionEvent -= 1 }
        if nextCwndEvent > 0 { nextCwndEvent -= 1 }
        defer { inflight = max(0, inflight - sendmeIncrement) }

        let rtt = updateRTT(now >= sentAt ? now - sentAt : 0)
        guard updateBDP(rttMeasured: rtt != 0) else { return }
        let queueUse = max(0, cwnd - bdp)
        if inflight + parameters.cwndFullGap * sendmeIncrement >= cwnd {
            cwndFull = true
        } else if 100 * inflight < parameters.cwndFullMinPercent * cwnd {
            cwndFull = false
        }

        if inSlowStart {
            if queueUse < parameters.gamma {
                if cwndFull {
                    let increment = slowStartIncrement
                    cwnd += increment
                    if increment * sendmesPerCwnd <= parameters.cwndIncrement * parameters.cwndIncrementRate {
                        inSlowStart = false
                    }
                }
            } else {
                // The queue grew past gamma: the window found the path's capacity.
                cwnd = bdp + parameters.gamma
                inSlowStart = false
            }
            if cwnd >= parameters.slowStartMax {
                cwnd = parameters.slowStartMax
                inSlowStart = false
            }
        } else if nextCongestionEvent == 0 {
            if queueUse > parameters.delta {
                cwnd = bdp + parameters.delta - parameters.cwndIncrement
            } else if queueUse > parameters.beta {
                cwnd -= parameters.cwndIncrement
            } else if cwndFull && queueUse < parameters.alpha {
                cwnd += parameters.cwndIncrement
            }
            cwnd = max(cwnd, parameters.cwndMin)
        }
        cwnd = min(cwnd, parameters.cwndMax)

        if nextCwndEvent == 0 { nextCwndEvent = sendmesPerCwnd }
        if nextCongestionEvent == 0 { nextCongestionEvent = updateRate }
        if parameters.cwndFullPerCwnd ? nextCwndEvent == sendmesPerCwnd : nextCongestionEvent == updateRate {
            cwndFull = false
        }
    }

    /// RFC 3742 limited slow start: one `sendme_inc` (scaled by `cc_cwnd_inc_pct_ss`) per SENDME
    /// up to `cc_sscap`, then `sendme_inc × sscap / (2 × cwnd)`, at least 1.
    var slowStartIncrement: Int {
        if cwnd <= parameters.slowStartCap {
            return (parameters.cwndIncrementPercentSlowStart * sendmeIncrement + 50) / 100
        }
        return max((sendmeIncrement * parameters.slowStartCap + cwnd) / (2 * cwnd), 1)
    }

    /// Folds one RTT sample into min/EWMA/max; returns 0 (no sample) when the clock looks stalled or jumped.
    private mutating func updateRTT(_ rtt: UInt64) -> UInt64 {
        if rtt == 0 { return 0 }
        let haveHistory = !inSlowStart && ewmaRTT != 0
        if haveHistory && rtt > ewmaRTT * 5000 { return 0 }  // a clock jump or a suspended peer
        let count = UInt64(ewmaCount)
        ewmaRTT = ewmaRTT == 0 ? rtt : (2 * rtt + (count - 1) * ewmaRTT) / (count + 1)
        maxRTT = max(maxRTT, rtt)
        if minRTT == 0 {
            minRTT = ewmaRTT
        } else if cwnd == parameters.cwndMin && !inSlowStart {
            // Stuck at the minimum window: an abnormally low minimum RTT would keep it there.
            let high = max(ewmaRTT, minRTT), low = min(ewmaRTT, minRTT)
            let percent = UInt64(parameters.rttResetPercent)
            minRTT = percent * high / 100 + (100 - percent) * low / 100
        } else if ewmaRTT < minRTT {
            minRTT = ewmaRTT
        }
        return rtt
    }

    /// The N of the RTT moving average (C `n_ewma_count`).
    private var ewmaCount: Int {
        let count = inSlowStart ? parameters.ewmaSlowStart
            : min(updateRate * parameters.ewmaCwndPercent / 100, parameters.ewmaMax)
        return max(count, 2)
    }

    /// Recomputes the BDP estimate; false when there was no usable RTT sample this time.
    private mutating func updateBDP(rttMeasured: Bool) -> Bool {
        guard ewmaRTT != 0 else {
            bdp = cwnd
            return false
        }
        bdp = Int(UInt64(cwnd) * minRTT / ewmaRTT)
        return rttMeasured
    }
}
