/// Rollback protection (as C tor's `networkstatus_set_current_consensus`): a directory cannot make
/// the client go back to an older view of the network, even with a validly signed consensus.
public enum ConsensusRollback {
    /// What to do with a consensus just fetched while `held` (if any) is the one we have.
    public enum Decision: Equatable {
        /// The fetched consensus is newer (or nothing is held): use it.
        case install
        /// It is the one held (same valid-after): nothing changes.
        case same
        /// It is older than the one held: refuse it and keep the held one.
        case refuseOlder
    }

    /// Decides by valid-after alone, as C tor does.
    public static func decide(fetched: Consensus, held: Consensus?) -> Decision {
        guard let held else { return .install }
        if fetched.validAfter > held.validAfter { return .install }
        return fetched.validAfter == held.validAfter ? .same : .refuseOlder
    }
}
