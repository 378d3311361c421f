import Synchronization
import TorDirectory

/// Consensus parameters that govern new circuits, shared by the builder and updated whenever a
/// newer consensus is used. Before any consensus (the first directory fetch) the spec's defaults hold.
public final class CircuitParameters: Sendable {
    private let sendmeAcceptMin = Atomic<Int>(0)

    public init() {}

    /// The lowest circuit-SENDME version a new circuit accepts (`sendme_accept_min_version`:
    /// 1 on the live network, so an unauthenticated SENDME closes the circuit).
    public var sendmeAcceptMinVersion: Int { sendmeAcceptMin.load(ordering: .relaxed) }

    /// Takes the values of `params`.
    public func update(from params: ConsensusParams) {
        sendmeAcceptMin.store(Int(params.sendmeAcceptMinVersion), ordering: .relaxed)
    }
}
