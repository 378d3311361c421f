import FoundationEssentials
import TorPoW

/// The client side of onion-service proof of work (prop 327) for one INTRODUCE1: when the
/// service's current descriptor carries `pow-params v1`, solve its Equi-X puzzle at an effort
/// chosen as C tor does, and return the INTRODUCE1 extension that carries the solution.
///
/// Kept apart from the rest of the introduction so that other INTRODUCE1 extensions (e.g.
/// congestion control) are simply appended next to it.
struct IntroductionProofOfWork {
    /// How long one solve may take before the introduction goes without a proof of work.
    var budget: Duration

    /// The `pow-params v1` line still valid at `now`, if the descriptor has one.
    static func parameters(in descriptor: HSDescriptorContent, now: Date) -> HSDescriptorContent.PowParams? {
        descriptor.powParams.first { params in
            params.type == "v1" && params.seed?.count == OnionServicePoW.seedLength && params.suggestedEffort != nil
                && (params.expiration.map { $0 > now } ?? false)
        }
    }

    /// The effort for an introduction after `unanswered` earlier introductions the service did not
    /// answer: the suggested effort, raised per unanswered attempt (C tor's rule).
    static func effort(suggested: UInt32, unanswered: Int) -> UInt32 {
        OnionServicePoW.effort(suggested: suggested, retries: unanswered)
    }

    /// The PoW extension for this introduction, or nil when none is needed (no `pow-params`, or
    /// effort 0) or the budget ran out (then the introduction goes without; `report` says so).
    /// Throws `CancellationError` when the connection is cancelled while solving.
    func extensionForIntroduction(descriptor: HSDescriptorContent, blindedPublicKey: [UInt8], unanswered: Int,
                                  now: Date = Date(),
                                  report: @Sendable (ConnectionPhase, String) -> Void) async throws -> HsNtorClient.Extension? {
        guard let params = Self.parameters(in: descriptor, now: now), let seed = params.seed,
              let suggested = params.suggestedEffort else { return nil }
        let effort = Self.effort(suggested: suggested, unanswered: unanswered)
        guard effort > 0, budget > .zero else { return nil }
        report(.introduction, "solving a proof of work, effort \(effort)…")
        let inputs = OnionServicePoW.Inputs(blindedId: blindedPublicKey, seed: seed, effort: effort)
        let clock = ContinuousClock()
        let started = clock.now
        guard let solution = try await OnionServicePoW.solve(inputs, budget: budget) else {
            report(.introduction, "no proof of work at effort \(effort) within \(Int(budget.seconds)) s; introducing without one")
            return nil
        }
        let took = clock.now - started
        report(.introduction, "proof of work solved, effort \(effort), in \((took.seconds * 10).rounded() / 10) s")
        return HsNtorClient.Extension(type: OnionServicePoW.extensionType, body: solution.extensionBody)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
