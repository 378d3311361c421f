/// What the circuit may still send toward its last hop, for owners that decide when to replace
/// a circuit (a service that never sends circuit SENDMEs exhausts the window for good).
public struct PackageWindowStatus: Sendable, Equatable {
    /// DATA cells the circuit may still send toward its last hop before a circuit SENDME is needed.
    public var remaining: Int
    /// Circuit SENDMEs the last hop has sent so far (each refilled the window).
    public var sendmesReceived: Int

    public init(remaining: Int, sendmesReceived: Int) {
        self.remaining = remaining
        self.sendmesReceived = sendmesReceived
    }
}

extension Circuit {
    /// The package window toward the last hop (the onion service's virtual hop on a rendezvous
    /// circuit); `nil` before the circuit has any hop.
    public var lastHopPackageWindow: PackageWindowStatus? {
        state.withLock { state in
            state.hops.last.map { PackageWindowStatus(remaining: $0.packageWindow, sendmesReceived: $0.circuitSendmesReceived) }
        }
    }
}
