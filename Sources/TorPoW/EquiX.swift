/// Equi-X (tevador): an asymmetric proof of work. For a challenge, HashX is built from the challenge
/// as its seed; a solution is eight distinct-ordered 16-bit indices whose hashes sum to zero modulo
/// 2^60, with pairs summing to zero modulo 2^15 and quadruples modulo 2^30. Solving takes a
/// generalized-birthday search over all 65 536 indices (~2 MB of tables); verifying takes 8 hashes.
public enum EquiX {
    /// Why a solution was refused (or a challenge unusable).
    public enum Error: Swift.Error, Equatable, Sendable {
        /// The challenge's HashX program is rejected; try another challenge (nonce).
        case challengeUnusable
        /// The indices are not in Equi-X's canonical tree order.
        case order
        /// A pair or quadruple of hashes does not sum to the required trailing zero bits.
        case partialSum
        /// The eight hashes do not sum to zero modulo 2^60.
        case finalSum
    }

    /// The bits that must be zero in the sum of a pair, a quadruple and all eight hashes.
    static let stage1Mask: UInt64 = (1 << 15) - 1
    static let stage2Mask: UInt64 = (1 << 30) - 1
    static let fullMask: UInt64 = (1 << 60) - 1

    /// An Equi-X solution: eight indices in canonical order.
    public struct Solution: Sendable, Equatable, Hashable {
        public var indices: [UInt16]

        public init(indices: [UInt16]) { self.indices = indices }

        /// The 16-byte wire form (each index little-endian), as in the INTRODUCE1 PoW extension.
        public var bytes: [UInt8] {
            indices.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        }

        /// Parses the 16-byte wire form; nil when the length is wrong.
        public init?(bytes: [UInt8]) {
            guard bytes.count == 16 else { return nil }
            indices = (0..<8).map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }
        }

        /// Whether the indices are in the canonical order Equi-X requires (each left subtree's
        /// indices, read as a little-endian number, no greater than the right one's).
        public var isCanonicallyOrdered: Bool {
            indices.count == 8
                && treeKey(0, 4) <= treeKey(4, 4)
                && treeKey(0, 2) <= treeKey(2, 2) && treeKey(4, 2) <= treeKey(6, 2)
                && indices[0] <= indices[1] && indices[2] <= indices[3]
                && indices[4] <= indices[5] && indices[6] <= indices[7]
        }

        private func treeKey(_ start: Int, _ count: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<count { v |= UInt64(indices[start + k]) << (16 * UInt64(k)) }
            return v
        }
    }

    /// Verifies `solution` for `challenge`.
    public static func verify(challenge: [UInt8], solution: Solution) throws(Error) {
        guard solution.isCanonicallyOrdered else { throw .order }
        let hashX: HashX
        do { hashX = try HashX(seed: challenge) } catch { throw .challengeUnusable }
        try verify(hashX: hashX, solution: solution)
    }

    /// Verifies `solution` against an already-built hash function.
    static func verify(hashX: HashX, solution: Solution) throws(Error) {
        guard solution.isCanonicallyOrdered else { throw .order }
        let idx = solution.indices
        func pair(_ a: Int) -> UInt64 { hashX.hash(UInt64(idx[a])) &+ hashX.hash(UInt64(idx[a + 1])) }
        let p0 = pair(0), p1 = pair(2), p2 = pair(4), p3 = pair(6)
        for p in [p0, p1, p2, p3] where p & stage1Mask != 0 { throw .partialSum }
        let q0 = p0 &+ p1, q1 = p2 &+ p3
        if q0 & stage2Mask != 0 || q1 & stage2Mask != 0 { throw .partialSum }
        if (q0 &+ q1) & fullMask != 0 { throw .finalSum }
    }

    /// All solutions (at most 8, in the reference solver's order) for `challenge`, using a fresh
    /// solver. For repeated solving, keep an `EquiXSolver`.
    public static func solve(challenge: [UInt8]) throws(Error) -> [Solution] {
        try EquiXSolver().solve(challenge: challenge)
    }
}
