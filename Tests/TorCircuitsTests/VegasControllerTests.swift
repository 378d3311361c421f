import XCTest
import TorDirectory
@testable import TorCircuits

/// TOR_VEGAS (proposal 324 §3.3) against worked examples computed by hand from the proposal's
/// rules as C tor 0.4.9 applies them (`congestion_control_vegas.c`), with its default parameters.
final class VegasControllerTests: XCTestCase {
    /// A sender that keeps the window full: it fills the window, then for each SENDME (arriving
    /// `rtt` µs after the cell that provoked it left) processes it and refills at that time.
    struct Sender {
        var vegas: VegasController
        var clock: UInt64 = 1_000_000

        init(_ parameters: CongestionControlParameters) {
            vegas = VegasController(parameters: parameters)
            fill()
        }

        mutating func fill() {
            while vegas.packageWindow > 0 { _ = vegas.cellSent(now: clock) }
        }

        /// Delivers the next SENDME after `rtt` µs; returns the new cwnd.
        @discardableResult
        mutating func ack(rtt: UInt64) throws -> Int {
            let sentAt = try XCTUnwrap(vegas.pendingSendTimes.first)
            clock = max(clock, sentAt + rtt)
            try vegas.sendmeReceived(now: sentAt + rtt)
            fill()
            return vegas.cwnd
        }
    }

    func testDefaultsAreCTors() {
        let p = CongestionControlParameters()
        XCTAssertEqual(p.algorithm, 2)
        XCTAssertTrue(p.isEnabled)
        XCTAssertEqual([p.sendmeIncrement, p.cwndInit, p.cwndMin, p.cwndIncrement, p.cwndIncrementRate], [31, 124, 124, 1, 31])
        XCTAssertEqual([p.alpha, p.beta, p.gamma, p.delta, p.slowStartCap, p.slowStartMax], [186, 372, 248, 434, 475, 5000])
        let exit = CongestionControlParameters(path: .exit)
        XCTAssertEqual([exit.alpha, exit.beta, exit.gamma, exit.delta, exit.slowStartCap], [186, 248, 186, 310, 600])
        XCTAssertEqual(p.xoffClientCells, 500)
    }

    func testConsensusValuesAreTakenAndClamped() {
        let params = ConsensusParams(["cc_alg": 0, "cc_sendme_inc": 0, "cc_cwnd_init": 200, "cc_vegas_alpha_onion": 5000,
                                      "cc_ss_max": 1])
        let p = CongestionControlParameters(consensus: params)
        XCTAssertFalse(p.isEnabled)
        XCTAssertEqual(p.sendmeIncrement, 1)     // range 1…254
        XCTAssertEqual(p.cwndInit, 200)
        XCTAssertEqual(p.alpha, 1000)            // range 0…1000
        XCTAssertEqual(p.slowStartMax, 500)      // range 500…INT32_MAX
    }

    func testEverySendmeIncrementthCellIsMarked() {
        var vegas = VegasController(parameters: CongestionControlParameters())
        var marked: [Int] = []
        for cell in 1...124 where vegas.cellSent(now: 0) { marked.append(cell) }
        XCTAssertEqual(marked, [31, 62, 93, 124])
        XCTAssertEqual(vegas.packageWindow, 0)
    }

    func testSendmeWithoutPendingCellIsRefused() {
        var vegas = VegasController(parameters: CongestionControlParameters())
        for _ in 0..<30 { _ = vegas.cellSent(now: 0) }
        XCTAssertThrowsError(try vegas.sendmeReceived(now: 10)) { XCTAssertEqual($0 as? VegasController.SendmeError, .unexpected) }
    }

    /// Constant RTT: no queue, so slow start adds one sendme_inc (31) per SENDME up to cc_sscap (475),
    /// then RFC 3742's smaller steps: 31 × 475 / (2 × cwnd).
    func testSlowStartGrowsBySendmeIncrementThenLimitedSteps() throws {
        var sender = Sender(CongestionControlParameters())
        var windows: [Int] = []
        for _ in 0..<14 { windows.append(try sender.ack(rtt: 100_000)) }
        XCTAssertEqual(windows, [155, 186, 217, 248, 279, 310, 341, 372, 403, 434, 465, 496,
                                 496 + 15,  // (14725 + 496) / 992
                                 511 + 14]) // (14725 + 511) / 1022
        XCTAssertTrue(sender.vegas.inSlowStart)
        XCTAssertEqual(sender.vegas.minRTT, 100_000)
        XCTAssertEqual(sender.vegas.bdp, 511)
    }

    /// The RTT rises from 100 to 400 ms: the BDP estimate falls (cwnd × min/ewma) and the queue
    /// (cwnd − BDP) grows until it passes gamma (248); then cwnd = BDP + gamma and slow start ends.
    func testQueueDelayRiseEndsSlowStartAtBdpPlusGamma() throws {
        var sender = Sender(CongestionControlParameters())
        try sender.ack(rtt: 100_000)
        try sender.ack(rtt: 100_000)
        XCTAssertEqual(sender.vegas.cwnd, 186)
        // ewma = (2·400000 + prev)/3: 300000, 366666, 388888, 396296, 398765, 399588.
        // bdp = cwnd·100000/ewma: 62, 59, 63, 70, 77, then 85 with a queue of 341 − 85 = 256 ≥ 248.
        var windows: [Int] = []
        var bdps: [Int] = []
        for _ in 0..<6 {
            windows.append(try sender.ack(rtt: 400_000))
            bdps.append(sender.vegas.bdp)
        }
        XCTAssertEqual(bdps, [62, 59, 63, 70, 77, 85])
        XCTAssertEqual(windows, [217, 248, 279, 310, 341, 85 + 248])
        XCTAssertFalse(sender.vegas.inSlowStart)
        XCTAssertEqual(sender.vegas.ewmaRTT, 399_588)
        XCTAssertEqual(sender.vegas.minRTT, 100_000)
        XCTAssertEqual(sender.vegas.maxRTT, 400_000)
    }

    /// Slow start capped by cc_ss_max = 500; then steady state: +cc_cwnd_inc (1) per update while
    /// the queue is under alpha; an RTT jump to 1 s puts the queue between beta and delta (−1), then
    /// past delta (cwnd = BDP + delta − 1).
    func testSteadyStateGrowthAndBackoff() throws {
        var sender = Sender(CongestionControlParameters(consensus: ConsensusParams(["cc_ss_max": 500])))
        for _ in 0..<12 { try sender.ack(rtt: 100_000) }
        XCTAssertEqual(sender.vegas.cwnd, 496)
        XCTAssertEqual(try sender.ack(rtt: 100_000), 500)  // 496 + 15 ≥ cc_ss_max
        XCTAssertFalse(sender.vegas.inSlowStart)
        XCTAssertEqual(try sender.ack(rtt: 100_000), 501)
        XCTAssertEqual(try sender.ack(rtt: 100_000), 502)
        XCTAssertEqual(try sender.ack(rtt: 100_000), 503)
        // ewma = (2·1000000 + 100000)/3 = 700000; bdp = 503·100000/700000 = 71; queue 432 ∈ (372, 434].
        XCTAssertEqual(try sender.ack(rtt: 1_000_000), 502)
        // ewma = 900000; bdp = 502·100000/900000 = 55; queue 447 > 434 → 55 + 434 − 1.
        XCTAssertEqual(try sender.ack(rtt: 1_000_000), 488)
        XCTAssertEqual(sender.vegas.bdp, 55)
    }

    /// The window never falls below cc_cwnd_min, however large the queue.
    func testBackoffStopsAtMinimumWindow() throws {
        var sender = Sender(CongestionControlParameters(consensus: ConsensusParams(["cc_ss_max": 500])))
        for _ in 0..<13 { try sender.ack(rtt: 100_000) }
        XCTAssertFalse(sender.vegas.inSlowStart)
        var rtt: UInt64 = 100_000
        for _ in 0..<40 {
            rtt = rtt * 3 / 2
            try sender.ack(rtt: rtt)
            XCTAssertGreaterThanOrEqual(sender.vegas.cwnd, 124)
        }
    }

    /// A SENDME whose RTT cannot be measured (clock stalled: zero delta) does not move the window.
    func testStalledClockLeavesWindowAlone() throws {
        var sender = Sender(CongestionControlParameters())
        try sender.ack(rtt: 100_000)
        let before = sender.vegas.cwnd
        let inflight = sender.vegas.inflight
        let sentAt = try XCTUnwrap(sender.vegas.pendingSendTimes.first)
        try sender.vegas.sendmeReceived(now: sentAt)
        XCTAssertEqual(sender.vegas.cwnd, before)
        XCTAssertEqual(sender.vegas.inflight, inflight - 31)
    }

    /// Steady state with the queue between alpha (186) and beta (372): Vegas holds the window.
    func testSteadyStateHoldsTheWindowBetweenAlphaAndBeta() throws {
        var sender = Sender(CongestionControlParameters(consensus: ConsensusParams(["cc_ss_max": 500])))
        for _ in 0..<13 { try sender.ack(rtt: 100_000) }
        XCTAssertFalse(sender.vegas.inSlowStart)
        XCTAssertEqual(sender.vegas.cwnd, 500)
        // ewma = (2·300000 + ewma)/3: 233333, 277777, 292592; bdp = 500·100000/ewma: 214, 180, 170;
        // queue 286, 320, 330: above alpha, not above beta.
        var windows: [Int] = [], bdps: [Int] = []
        for _ in 0..<3 {
            windows.append(try sender.ack(rtt: 300_000))
            bdps.append(sender.vegas.bdp)
        }
        XCTAssertEqual(bdps, [214, 180, 170])
        XCTAssertEqual(windows, [500, 500, 500])
    }

    /// Steady state at a large window updates once per `cwnd / (cc_cwnd_inc_rate × sendme_inc)`
    /// SENDMEs (C `CWND_UPDATE_RATE`): at cwnd 2000 that is every 2nd SENDME, +1 cell each time
    /// while the queue stays under alpha.
    func testSteadyStateUpdatesOncePerUpdatePeriod() throws {
        var sender = Sender(CongestionControlParameters(consensus: ConsensusParams(["cc_ss_max": 2000])))
        for _ in 0..<1000 where sender.vegas.inSlowStart { try sender.ack(rtt: 100_000) }
        XCTAssertFalse(sender.vegas.inSlowStart)
        XCTAssertEqual(sender.vegas.cwnd, 2000, "slow start ends at cc_ss_max")
        XCTAssertEqual(sender.vegas.updateRate, 2)
        var windows: [Int] = []
        for _ in 0..<8 { windows.append(try sender.ack(rtt: 100_000)) }
        XCTAssertEqual(windows.last, 2004, "\(windows)")
        XCTAssertEqual(Set(zip(windows, windows.dropFirst()).map { $1 - $0 }), [0, 1], "\(windows)")
    }
}
