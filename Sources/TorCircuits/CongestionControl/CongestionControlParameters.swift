import TorDirectory

/// The consensus's congestion-control parameters (proposal 324 §"Consensus parameters",
/// proposal 344), with C tor 0.4.9's defaults and ranges when a value is absent or out of range
/// (`congestion_control_common.c`, `congestion_control_vegas.c`, `congestion_control_flow.c`).
public struct CongestionControlParameters: Sendable, Equatable {
    /// Which circuits the Vegas thresholds are for: onion-service rendezvous circuits (six hops
    /// between the ends), exit circuits (three), or one-hop directory circuits (C tor gives
    /// those, and any path shorter than three hops, its `sbws` set: `CC_PATH_SBWS`).
    public enum PathKind: Sendable { case onionService, exit, directory }

    /// `cc_alg`: 0 = fixed SENDME windows (no congestion control), 2 = Vegas.
    public var algorithm: Int32 = 2
    /// `cc_sendme_inc`: DATA cells acknowledged by one circuit SENDME.
    public var sendmeIncrement: Int = 31
    /// `cc_cwnd_init`, `cc_cwnd_min`, `cc_cwnd_max` (cells).
    public var cwndInit = 124, cwndMin = 124, cwndMax = Int(Int32.max)
    /// `cc_cwnd_inc`: steady-state step (cells); `cc_cwnd_inc_pct_ss`: slow-start step in percent
    /// of `sendme_inc`; `cc_cwnd_inc_rate`: steady-state updates per cwnd.
    public var cwndIncrement = 1, cwndIncrementPercentSlowStart = 100, cwndIncrementRate = 31
    /// `cc_ewma_cwnd_pct`, `cc_ewma_max`, `cc_ewma_ss`: RTT averaging.
    public var ewmaCwndPercent = 50, ewmaMax = 10, ewmaSlowStart = 2
    /// `cc_rtt_reset_pct`: how far the minimum RTT moves towards the average when cwnd is stuck at its minimum.
    public var rttResetPercent = 100
    /// Vegas thresholds on queue use (cells): alpha/beta (steady state), gamma (slow-start exit), delta (backoff).
    public var alpha = 186, beta = 372, gamma = 248, delta = 434
    /// `cc_sscap_*`: cwnd from which slow start grows by RFC 3742 limited steps; `cc_ss_max`: slow start's ceiling.
    public var slowStartCap = 475, slowStartMax = 5000
    /// `cc_cwnd_full_gap` (in sendme_incs), `cc_cwnd_full_minpct`, `cc_cwnd_full_per_cwnd`.
    public var cwndFullGap = 4, cwndFullMinPercent = 25, cwndFullPerCwnd = true
    /// `cc_xoff_client`: unread cells on one stream after which the client sends XOFF (prop 344).
    public var xoffClientCells = 500
    /// `cc_xon_rate` (cells), `cc_xon_change_pct`, `cc_xon_ewma_cnt`.
    public var xonRateCells = 500, xonChangePercent = 25, xonEWMACount = 2

    /// C tor's defaults for `path`.
    public init(path: PathKind = .onionService) {
        self.init(consensus: ConsensusParams(), path: path)
    }

    /// The values of `consensus`, each clamped to C tor's range, its default when absent.
    public init(consensus params: ConsensusParams, path: PathKind = .onionService) {
        func get(_ name: String, _ defaultValue: Int32, _ range: ClosedRange<Int32>) -> Int {
            Int(params.value(name, default: defaultValue, range: range))
        }
        let outbufCells: Int32 = 62  // 2 × TLS_RECORD_MAX_CELLS (16 KiB / 514 = 31)
        algorithm = Int32(get("cc_alg", 2, 0...2))
        sendmeIncrement = get("cc_sendme_inc", 31, 1...254)
        cwndInit = get("cc_cwnd_init", 124, 31...10_000)
        cwndMin = get("cc_cwnd_min", 124, 31...1000)
        cwndMax = get("cc_cwnd_max", Int32.max, 500...Int32.max)
        cwndIncrement = get("cc_cwnd_inc", 1, 1...1000)
        cwndIncrementPercentSlowStart = get("cc_cwnd_inc_pct_ss", 100, 1...500)
        cwndIncrementRate = get("cc_cwnd_inc_rate", 31, 1...250)
        ewmaCwndPercent = get("cc_ewma_cwnd_pct", 50, 1...255)
        ewmaMax = get("cc_ewma_max", 10, 2...Int32.max)
        ewmaSlowStart = get("cc_ewma_ss", 2, 2...Int32.max)
        rttResetPercent = get("cc_rtt_reset_pct", 100, 0...100)
        switch path {
        case .onionService:
            alpha = get("cc_vegas_alpha_onion", 3 * outbufCells, 0...1000)
            beta = get("cc_vegas_beta_onion", 6 * outbufCells, 0...1000)
            gamma = get("cc_vegas_gamma_onion", 4 * outbufCells, 0...1000)
            delta = get("cc_vegas_delta_onion", 7 * outbufCells, 0...Int32.max)
            slowStartCap = get("cc_sscap_onion", 475, 100...Int32.max)
        case .exit:
            alpha = get("cc_vegas_alpha_exit", 3 * outbufCells, 0...1000)
            beta = get("cc_vegas_beta_exit", 4 * outbufCells, 0...1000)
            gamma = get("cc_vegas_gamma_exit", 3 * outbufCells, 0...1000)
            delta = get("cc_vegas_delta_exit", 5 * outbufCells, 0...Int32.max)
            slowStartCap = get("cc_sscap_exit", 600, 100...Int32.max)
        case .directory:
            let recordCells: Int32 = 31  // TLS_RECORD_MAX_CELLS
            alpha = get("cc_vegas_alpha_sbws", 2 * outbufCells - recordCells, 0...1000)
            beta = get("cc_vegas_beta_sbws", 2 * outbufCells + recordCells, 0...1000)
            gamma = get("cc_vegas_gamma_sbws", 2 * outbufCells, 0...1000)
            delta = get("cc_vegas_delta_sbws", 4 * outbufCells, 0...Int32.max)
            slowStartCap = get("cc_sscap_sbws", 400, 100...Int32.max)
        }
        slowStartMax = get("cc_ss_max", 5000, 500...Int32.max)
        cwndFullGap = get("cc_cwnd_full_gap", 4, 0...Int32(Int16.max))
        cwndFullMinPercent = get("cc_cwnd_full_minpct", 25, 0...100)
        cwndFullPerCwnd = get("cc_cwnd_full_per_cwnd", 1, 0...1) == 1
        xoffClientCells = get("cc_xoff_client", 500, 1...10_000)
        xonRateCells = get("cc_xon_rate", 500, 1...5000)
        xonChangePercent = get("cc_xon_change_pct", 25, 1...99)
        xonEWMACount = get("cc_xon_ewma_cnt", 2, 2...100)
    }

    /// Whether the consensus turns congestion control on (`cc_alg` = 2, Vegas).
    public var isEnabled: Bool { algorithm == 2 }

    /// Whether a relay's answer `sendme_inc` is acceptable: within one of the consensus's
    /// `cc_sendme_inc` and not 0 (C tor's `congestion_control_validate_sendme_increment`; a
    /// relay that answers otherwise is not used).
    public func acceptsSendmeIncrement(_ increment: Int) -> Bool {
        increment > 0 && abs(increment - sendmeIncrement) <= 1
    }
}
