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

    /// The descriptor's usable `pow-params v1` line, if it has one. Its expiration time is not
    /// checked here: as C tor does, a cached descriptor whose parameters have expired is refetched
    /// before a new connection (``hasExpiredParameters(_:now:)``), and whatever the fresh
    /// descriptor carries is then used (the service accepts its current and previous seed).
    static func parameters(in descriptor: HSDescriptorContent) -> HSDescriptorContent.PowParams? {
        descriptor.powParams.first { params in
            params.type == "v1" && params.seed?.count == OnionServicePoW.seedLength && params.suggestedEffort != nil
        }
    }

    /// Whether the descriptor's `pow-params v1` expiration time has passed at `now` (C tor:
    /// `pow_params->expiration_time < now` makes a cached descriptor not worth keeping, hs_client.c
    /// `can_client_refetch_desc`): the seed may have rotated, so the descriptor is fetched again.
    static func hasExpiredParameters(_ descriptor: HSDescriptorContent, now: Date) -> Bool {
        guard let expiration = descriptor.powParams.first(where: { $0.type == "v1" })?.expiration else { return false }
        return expiration < now
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
                                  report: @Sendable (ConnectionPhase, String) -> Void) async throws -> HsNtorClient.Extension? {
        guard let params = Self.parameters(in: descriptor), let seed = params.seed,
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
        report(.introduction, "proof of work solved, effort \(effort), in \((took.seconds * 100).rounded() / 100) s")
        return HsNtorClient.Extension(type: OnionServicePoW.extensionType, body: solution.extensionBody)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
