import TorCrypto

/// The onion-service proof of work `v1` (proposal 327, torspec hspow-spec v1-equix): the client
/// finds a nonce N and an Equi-X solution S for the challenge
///     C = "Tor hs intro v1\0" || blinded service id || seed || N || INT_32(E)
/// such that, with R = the first 4 bytes of BLAKE2b-32(C || S) read big-endian, R * E ≤ 2^32 - 1.
/// The service serves introductions in order of the effort E their clients paid.
public enum OnionServicePoW {
    public static let personalization: [UInt8] = Array("Tor hs intro v1".utf8) + [0]
    public static let nonceLength = 16
    public static let seedLength = 32
    public static let seedHeadLength = 4
    public static let blindedIdLength = 32
    /// The PoW extension's type in INTRODUCE1's encrypted extensions.
    public static let extensionType: UInt8 = 0x02
    /// The extension's scheme byte for v1 (Equi-X).
    public static let schemeV1: UInt8 = 0x01

    /// What the solver needs: from the service's current descriptor (`pow-params v1`) and its
    /// blinded key for the current time period.
    public struct Inputs: Sendable, Equatable {
        public var blindedId: [UInt8]
        public var seed: [UInt8]
        public var effort: UInt32

        public init(blindedId: [UInt8], seed: [UInt8], effort: UInt32) {
            precondition(blindedId.count == OnionServicePoW.blindedIdLength, "blinded id must be 32 bytes")
            precondition(seed.count == OnionServicePoW.seedLength, "seed must be 32 bytes")
            self.blindedId = blindedId
            self.seed = seed
            self.effort = effort
        }
    }

    /// A solved puzzle, as it goes into INTRODUCE1.
    public struct Solution: Sendable, Equatable {
        public var nonce: [UInt8]
        public var effort: UInt32
        public var seedHead: [UInt8]
        public var equiX: EquiX.Solution

        public init(nonce: [UInt8], effort: UInt32, seedHead: [UInt8], equiX: EquiX.Solution) {
            self.nonce = nonce
            self.effort = effort
            self.seedHead = seedHead
            self.equiX = equiX
        }

        /// The body of the INTRODUCE1 PoW extension (type 0x02): scheme 0x01, nonce (16), effort
        /// (4, big-endian), seed head (4), Equi-X solution (16): 41 bytes.
        public var extensionBody: [UInt8] {
            [OnionServicePoW.schemeV1] + nonce + bigEndian(effort) + seedHead + equiX.bytes
        }

        /// Parses an extension body (service side and tests).
        public init(extensionBody b: [UInt8]) throws(OnionServicePoW.Error) {
            guard b.count == 41 else { throw .malformedExtension("length \(b.count), expected 41") }
            guard b[0] == OnionServicePoW.schemeV1 else { throw .malformedExtension("scheme \(b[0]), expected 1") }
            nonce = Array(b[1..<17])
            effort = b[17..<21].reduce(0) { $0 << 8 | UInt32($1) }
            seedHead = Array(b[21..<25])
            equiX = EquiX.Solution(bytes: Array(b[25..<41]))!
        }
    }

    /// Why a proof of work was not produced or not accepted.
    public enum Error: Swift.Error, Equatable, Sendable {
        case malformedExtension(String)
        case seedMismatch
        case effortNotMet
        case equiX(EquiX.Error)
        /// The solver was stopped (time budget spent or the caller cancelled) before a solution.
        case stopped(noncesTried: Int)
    }

    /// The 100-byte Equi-X challenge for `nonce` and `effort`.
    public static func challenge(blindedId: [UInt8], seed: [UInt8], nonce: [UInt8], effort: UInt32) -> [UInt8] {
        personalization + blindedId + seed + nonce + bigEndian(effort)
    }

    /// Whether `solution` meets `effort` for `challenge`: R * E ≤ 2^32 - 1.
    public static func meetsEffort(challenge: [UInt8], solution: EquiX.Solution, effort: UInt32) -> Bool {
        let digest = try! Blake2b.hash(challenge + solution.bytes, digestLength: 4)
        let r = digest.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return r * UInt64(effort) <= UInt64(UInt32.max)
    }

    /// Solves the puzzle, starting from `nonce` and incrementing it (little-endian) after each
    /// challenge that yields no solution meeting the effort. `keepGoing` is asked before each
    /// nonce (with the count tried so far); returning false stops with `.stopped`.
    public static func solve(_ inputs: Inputs, startingNonce: [UInt8], solver: EquiXSolver = EquiXSolver(),
                             keepGoing: (Int) -> Bool = { _ in true }) throws(Error) -> Solution {
        precondition(startingNonce.count == nonceLength, "nonce must be 16 bytes")
        var nonce = startingNonce
        var tried = 0
        while keepGoing(tried) {
            let c = challenge(blindedId: inputs.blindedId, seed: inputs.seed, nonce: nonce, effort: inputs.effort)
            if let candidates = try? solver.solve(challenge: c) {
                for s in candidates where meetsEffort(challenge: c, solution: s, effort: inputs.effort) {
                    return Solution(nonce: nonce, effort: inputs.effort,
                                    seedHead: Array(inputs.seed.prefix(seedHeadLength)), equiX: s)
                }
            }
            tried += 1
            for i in 0..<nonceLength {
                nonce[i] &+= 1
                if nonce[i] != 0 { break }
            }
        }
        throw .stopped(noncesTried: tried)
    }

    /// Solves from a random nonce, as clients do.
    public static func solve(_ inputs: Inputs, solver: EquiXSolver = EquiXSolver(),
                             keepGoing: (Int) -> Bool = { _ in true }) throws(Error) -> Solution {
        try solve(inputs, startingNonce: SecureRandom.bytes(nonceLength), solver: solver, keepGoing: keepGoing)
    }

    /// Verifies `solution` against the service's `seed` (service side; used by tests and the
    /// benchmark). No replay cache: that is the service's state.
    public static func verify(_ solution: Solution, blindedId: [UInt8], seed: [UInt8]) throws(Error) {
        guard Array(seed.prefix(seedHeadLength)) == solution.seedHead else { throw .seedMismatch }
        let c = challenge(blindedId: blindedId, seed: seed, nonce: solution.nonce, effort: solution.effort)
        guard meetsEffort(challenge: c, solution: solution.equiX, effort: solution.effort) else { throw .effortNotMet }
        do { try EquiX.verify(challenge: c, solution: solution.equiX) } catch { throw .equiX(error) }
    }

    // MARK: Effort (C tor's client rule, hs_client.c)

    /// The most effort a client spends, whatever the service suggests (C tor: 10 000).
    public static let clientMaxEffort: UInt32 = 10_000
    /// On a retry the effort is at least this (C tor: 8).
    public static let clientMinRetryEffort: UInt32 = 8
    /// Below this, each retry doubles the effort; above it, multiplies it by 1.5 (C tor: 1000).
    public static let clientDoubleUntil: UInt32 = 1000

    /// The effort for an introduction: the suggested effort capped at `clientMaxEffort`, raised once
    /// per earlier unanswered attempt (`retries`): doubled below 1000, ×1.5 above, at least 8, at
    /// most 10 000, as C tor does. Zero means no proof of work (unless retries raise it).
    public static func effort(suggested: UInt32, retries: Int) -> UInt32 {
        var e = UInt64(min(suggested, clientMaxEffort))
        var n = 0
        while n < retries && e < UInt64(clientMaxEffort) {
            e = e < UInt64(clientDoubleUntil) ? e << 1 : UInt64(Float(1.5) * Float(e))
            e = max(UInt64(clientMinRetryEffort), e)
            e = min(UInt64(clientMaxEffort), e)
            n += 1
        }
        return UInt32(e)
    }
}

private func bigEndian(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}
