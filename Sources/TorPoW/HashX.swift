import TorCrypto

/// HashX (tevador): a family of hash functions, one per seed, each a randomly generated program of
/// 512 integer instructions over eight 64-bit registers. Equi-X and the onion-service proof of work
/// use it as a 64-bit hash of a 64-bit input.
///
/// The program is interpreted, not compiled to machine code (C tor and arti JIT it on x86-64 and
/// arm64). To make up for part of that, `hash(batchFrom:count:into:)` runs each instruction over a
/// block of inputs at once, so the dispatch of an instruction is paid once per block rather than once
/// per input, and the arithmetic runs in tight loops over contiguous registers.
public final class HashX: @unchecked Sendable {
    /// Why no hash function came out of a seed.
    public enum Error: Swift.Error, Equatable, Sendable {
        /// The seed's program misses HashX's size, multiplication or latency requirements (about 1
        /// seed in 10 000); callers pick another seed (for the PoW: another nonce).
        case programConstraints
    }

    /// Inputs evaluated together by the batch interpreter.
    public static let lanes = 128

    let program: [HashXInstruction]
    let registerKey: SipHashKey
    private let code: UnsafeMutablePointer<HashXInstruction>
    private let codeCount: Int
    /// Scratch for the batch interpreter: registers (8 × lanes), mulh results, branch flags.
    private let regs: UnsafeMutablePointer<UInt64>
    private let results: UnsafeMutablePointer<UInt32>
    private let branchEnabled: UnsafeMutablePointer<Bool>

    /// Builds the hash function for `seed`. Not thread-safe to *use* concurrently (it keeps scratch
    /// space); make one per thread.
    public init(seed: [UInt8]) throws(Error) {
        // 64 bytes of BLAKE2b-512 salted "HashX v1": the generator's key, then the register key.
        let keyBytes = try! Blake2b.hash(seed, digestLength: 64, salt: Array("HashX v1".utf8))
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(keyBytes[8 * i + k]) << (8 * UInt64(k)) }
            return v
        }
        let generatorKey = SipHashKey(v0: word(0), v1: word(1), v2: word(2), v3: word(3))
        registerKey = SipHashKey(v0: word(4), v1: word(5), v2: word(6), v3: word(7))
        guard let program = generateHashXProgram(key: generatorKey) else { throw .programConstraints }
        self.program = program
        codeCount = program.count
        code = .allocate(capacity: codeCount)
        code.initialize(from: program, count: codeCount)
        regs = .allocate(capacity: 8 * Self.lanes)
        results = .allocate(capacity: Self.lanes)
        branchEnabled = .allocate(capacity: Self.lanes)
    }

    deinit {
        code.deallocate()
        regs.deallocate()
        results.deallocate()
        branchEnabled.deallocate()
    }

    /// The 64-bit hash of `input` (the first 8 bytes of the 32-byte output, little-endian).
    public func hash(_ input: UInt64) -> UInt64 {
        var out: UInt64 = 0
        hash(batchFrom: input, count: 1, into: &out)
        return out
    }

    /// The full 32-byte HashX output for `input`.
    public func hashBytes(_ input: UInt64) -> [UInt8] {
        var r = [UInt64](repeating: 0, count: 8)
        r.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            registerKey.sipHash24State512(input, into: base, stride: 1)
            executeScalar(base, stride: 1, from: 0, to: codeCount, branches: true)
            finalize(base, stride: 1)
        }
        var out: [UInt8] = []
        for i in 0..<4 {
            let w = r[i] ^ r[i + 4]
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(k)))) }
        }
        return out
    }

    /// Hashes the `count` consecutive inputs `start, start + 1, …` into `out` (64-bit hashes).
    public func hash(batchFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<UInt64>) {
        var done = 0
        while done < count {
            let n = min(Self.lanes, count - done)
            runBlock(start: start &+ UInt64(done), n: n, out: out + done)
            done += n
        }
    }

    @inline(__always)
    private func finalize(_ r: UnsafeMutablePointer<UInt64>, stride s: Int) {
        var r0 = r[0] &+ registerKey.v0, r1 = r[s] &+ registerKey.v1, r2 = r[2 * s], r3 = r[3 * s]
        var r4 = r[4 * s], r5 = r[5 * s], r6 = r[6 * s] &+ registerKey.v2, r7 = r[7 * s] &+ registerKey.v3
        sipRound(&r0, &r1, &r2, &r3)
        sipRound(&r4, &r5, &r6, &r7)
        r[0] = r0; r[s] = r1; r[2 * s] = r2; r[3 * s] = r3
        r[4 * s] = r4; r[5 * s] = r5; r[6 * s] = r6; r[7 * s] = r7
    }

    /// Runs program instructions `from..<to` on one register file (registers `stride` apart).
    /// `branches: false` is the replay after a taken branch, where branches are disabled.
    private func executeScalar(_ r: UnsafeMutablePointer<UInt64>, stride s: Int, from: Int, to: Int,
                               branches: Bool, result initialResult: UInt32 = 0) -> UInt32 {
        var result = initialResult
        var target = 0
        var enabled = branches
        var i = from
        while i < to {
            let ins = code[i]
            let d = Int(ins.dst) * s, sr = Int(ins.src) * s
            switch ins.op {
            case .umulh:
                r[d] = r[d].multipliedFullWidth(by: r[sr]).high
                result = UInt32(truncatingIfNeeded: r[d])
            case .smulh:
                let h = Int64(bitPattern: r[d]).multipliedFullWidth(by: Int64(bitPattern: r[sr])).high
                r[d] = UInt64(bitPattern: h)
                result = UInt32(truncatingIfNeeded: r[d])
            case .mul: r[d] = r[d] &* r[sr]
            case .sub: r[d] = r[d] &- r[sr]
            case .xor: r[d] ^= r[sr]
            case .addShifted: r[d] = r[d] &+ (r[sr] &<< ins.imm)
            case .rotateRight: r[d] = r[d].rotr(ins.imm)
            case .addConst: r[d] = r[d] &+ ins.imm
            case .xorConst: r[d] ^= ins.imm
            case .target: target = i
            case .branch:
                if enabled && (result & UInt32(truncatingIfNeeded: ins.imm)) == 0 {
                    i = target
                    enabled = false
                }
            }
            i += 1
        }
        return result
    }

    @discardableResult
    private func executeScalar(_ r: UnsafeMutablePointer<UInt64>, stride s: Int, from: Int, to: Int,
                               branches: Bool) -> UInt32 {
        executeScalar(r, stride: s, from: from, to: to, branches: branches, result: 0)
    }

    /// One block of `n` inputs (n ≤ lanes), registers laid out register-major (r[k] of lane j at
    /// k * lanes + j) so each instruction is a loop over contiguous words.
    private func runBlock(start: UInt64, n: Int, out: UnsafeMutablePointer<UInt64>) {
        let L = Self.lanes
        let regs = self.regs, results = self.results, enabled = self.branchEnabled, code = self.code
        for j in 0..<n {
            registerKey.sipHash24State512(start &+ UInt64(j), into: regs + j, stride: L)
            results[j] = 0
            enabled[j] = true
        }
        var target = 0
        for i in 0..<codeCount {
            let ins = code[i]
            let d = regs + Int(ins.dst) * L
            let s = regs + Int(ins.src) * L
            let imm = ins.imm
            switch ins.op {
            case .umulh:
                for j in 0..<n {
                    let h = d[j].multipliedFullWidth(by: s[j]).high
                    d[j] = h
                    results[j] = UInt32(truncatingIfNeeded: h)
                }
            case .smulh:
                for j in 0..<n {
                    let h = UInt64(bitPattern: Int64(bitPattern: d[j]).multipliedFullWidth(by: Int64(bitPattern: s[j])).high)
                    d[j] = h
                    results[j] = UInt32(truncatingIfNeeded: h)
                }
            case .mul: for j in 0..<n { d[j] = d[j] &* s[j] }
            case .sub: for j in 0..<n { d[j] = d[j] &- s[j] }
            case .xor: for j in 0..<n { d[j] ^= s[j] }
            case .addShifted: for j in 0..<n { d[j] = d[j] &+ (s[j] &<< imm) }
            case .rotateRight: for j in 0..<n { d[j] = d[j].rotr(imm) }
            case .addConst: for j in 0..<n { d[j] = d[j] &+ imm }
            case .xorConst: for j in 0..<n { d[j] ^= imm }
            case .target: target = i
            case .branch:
                let mask = UInt32(truncatingIfNeeded: imm)
                for j in 0..<n where enabled[j] && (results[j] & mask) == 0 {
                    // This lane jumps back to just after the last target, runs up to this branch
                    // again with branches disabled, then rejoins the block.
                    enabled[j] = false
                    results[j] = executeScalar(regs + j, stride: L, from: target + 1, to: i,
                                               branches: false, result: results[j])
                }
            }
        }
        for j in 0..<n {
            let r = regs + j
            finalize(r, stride: L)
            out[j] = r[0] ^ r[4 * L]
        }
    }
}
