import TorCircuits
import TorDirectory

/// Congestion control on a rendezvous circuit (proposal 324 §"Onion services"): asked for in
/// INTRODUCE1 only when the service's descriptor offers it and the consensus turns it on, as C
/// tor's client does (`hs_client.c setup_rendezvous_circ_congestion_control`); then the virtual
/// hop runs Vegas and its streams XON/XOFF. Otherwise the circuit keeps the fixed SENDME windows.
struct RendezvousCongestionControl: Sendable {
    let parameters: CongestionControlParameters
    /// The service's `sendme_inc` from its descriptor's `flow-control` line.
    let sendmeIncrement: Int

    /// What to ask the service for, or nil for fixed windows: the descriptor must list `FlowCtrl=2`
    /// with a `sendme_inc` within one of the consensus's (C tor refuses other values), and the
    /// consensus must have `cc_alg` ≠ 0.
    static func offer(descriptor: HSDescriptorContent, consensus: ConsensusParams) -> RendezvousCongestionControl? {
        let parameters = CongestionControlParameters(consensus: consensus, path: .onionService)
        guard parameters.isEnabled, let flow = descriptor.flowControl,
              let versions = try? ProtocolVersions(parsing: "FlowCtrl=\(flow.versions)"), versions.supports("FlowCtrl", 2),
              flow.sendmeIncrement > 0, abs(flow.sendmeIncrement - parameters.sendmeIncrement) <= 1 else { return nil }
        return RendezvousCongestionControl(parameters: parameters, sendmeIncrement: flow.sendmeIncrement)
    }

    /// The INTRODUCE1 extension that asks the service for congestion control.
    var introduce1Extensions: [HsNtorClient.Extension] { [.congestionControlRequest] }

    /// Starts congestion control on the virtual hop just appended to `circuit`.
    func enable(on circuit: Circuit) throws {
        try circuit.enableCongestionControl(onHop: circuit.hopCount - 1, parameters: parameters, sendmeIncrement: sendmeIncrement)
    }
}
