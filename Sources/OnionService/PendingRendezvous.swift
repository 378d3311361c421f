import TorCircuits
import TorProto

/// A rendezvous point being set up in the background (circuit, ESTABLISH_RENDEZVOUS, the relay's
/// RENDEZVOUS_ESTABLISHED) while the client fetches the descriptor and builds the introduction
/// circuit. A dead or overloaded point costs one attempt; up to three relays are tried.
struct PendingRendezvous: Sendable {
    /// The cookie sent in ESTABLISH_RENDEZVOUS, to be repeated in INTRODUCE1.
    let cookie: [UInt8]
    private let task: Task<(circuit: Circuit, point: Relay), any Error>

    /// Starts setting up a rendezvous point now.
    init(network: any OnionServiceNetwork, directory: NetDirectory, stepTimeout: Double) {
        let cookie = HsNtorClient.makeRendezvousCookie()
        self.cookie = cookie
        task = Task {
            var failures = [String]()
            var tried = [Relay]()
            while tried.count < 3 {
                try Task.checkCancellation()
                let selector = PathSelector(directory: directory)
                // As C tor and arti: a Fast, Stable relay offering HSRend=2, never a MiddleOnly one.
                guard let point = try? selector.pick(.onionServiceEndpoint, requiring: [.fast, .stable], where: { relay in
                    relay.status.protocols.supports("HSRend", 2) && !tried.contains(relay)
                }) else { break }
                tried.append(point)
                do {
                    let circuit = try await network.buildCircuit(hops: 3, endingAt: point.extendTarget)
                    do {
                        let pointHop = circuit.hopCount - 1
                        try circuit.send(RelayMessage(command: .establishRendezvous, data: cookie), toHop: pointHop,
                                         expecting: [.rendezvousEstablished])
                        _ = try await circuit.nextMessage(timeout: stepTimeout, what: "waiting for RENDEZVOUS_ESTABLISHED")
                        // From now on the point may deliver the service's RENDEZVOUS2 (once), and nothing else.
                        circuit.expect([.rendezvous2], fromHop: pointHop)
                    } catch {
                        circuit.destroy()
                        throw error
                    }
                    return (circuit, point)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    failures.append("\(point.nickname): \(error)")
                }
            }
            throw RendezvousPointFailure(detail: failures.isEmpty
                ? "no relay can serve as rendezvous point" : failures.joined(separator: "; "))
        }
    }

    /// The established rendezvous circuit and its last relay.
    /// - Throws: ``RendezvousPointFailure`` when no relay could serve, or `CancellationError`.
    func established() async throws -> (circuit: Circuit, point: Relay) {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Gives the rendezvous point up: the set-up stops and its circuit, if any, is closed.
    func discard() {
        task.cancel()
        let task = self.task
        Task { (try? await task.value)?.circuit.destroy() }
    }
}

/// Why no rendezvous point could be set up.
struct RendezvousPointFailure: Error {
    var detail: String
}
