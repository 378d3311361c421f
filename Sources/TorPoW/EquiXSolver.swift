/// The Equi-X solver: three rounds of bucketed collision search over the 2^16 HashX values, the
/// same algorithm and table sizes as tevador's reference solver (so it finds the same solutions in
/// the same order). Tables are allocated once per solver (~2.5 MB) and reused across solves; a
/// solver is not thread-safe, make one per thread.
public final class EquiXSolver: @unchecked Sendable {
    static let indexSpace = 1 << 16
    static let coarseBuckets = 256
    static let fineBuckets = 128
    static let coarseItems = 336
    static let fineItems = 12
    /// At most this many solutions are returned per challenge.
    public static let maxSolutions = 8

    // Stage tables: counts per coarse bucket, then items[bucket * coarseItems + item].
    private let s1Count = UnsafeMutablePointer<UInt16>.allocate(capacity: coarseBuckets)
    private let s1Idx = UnsafeMutablePointer<UInt16>.allocate(capacity: coarseBuckets * coarseItems)
    private let s1Data = UnsafeMutablePointer<UInt64>.allocate(capacity: coarseBuckets * coarseItems)
    private let s2Count = UnsafeMutablePointer<UInt16>.allocate(capacity: coarseBuckets)
    private let s2Idx = UnsafeMutablePointer<UInt32>.allocate(capacity: coarseBuckets * coarseItems)
    private let s2Data = UnsafeMutablePointer<UInt64>.allocate(capacity: coarseBuckets * coarseItems)
    private let s3Count = UnsafeMutablePointer<UInt16>.allocate(capacity: coarseBuckets)
    private let s3Idx = UnsafeMutablePointer<UInt32>.allocate(capacity: coarseBuckets * coarseItems)
    private let s3Data = UnsafeMutablePointer<UInt32>.allocate(capacity: coarseBuckets * coarseItems)
    private let scratchCount = UnsafeMutablePointer<UInt8>.allocate(capacity: fineBuckets)
    private let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: fineBuckets * fineItems)
    private let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: indexSpace)

    public init() {}

    deinit {
        s1Count.deallocate(); s1Idx.deallocate(); s1Data.deallocate()
        s2Count.deallocate(); s2Idx.deallocate(); s2Data.deallocate()
        s3Count.deallocate(); s3Idx.deallocate(); s3Data.deallocate()
        scratchCount.deallocate(); scratch.deallocate(); hashes.deallocate()
    }

    /// All solutions (at most `maxSolutions`) for `challenge`.
    public func solve(challenge: [UInt8]) throws(EquiX.Error) -> [EquiX.Solution] {
        let hashX: HashX
        do { hashX = try HashX(seed: challenge) } catch { throw .challengeUnusable }
        return solve(hashX: hashX)
    }

    /// All solutions for the hash function `hashX`.
    public func solve(hashX: HashX) -> [EquiX.Solution] {
        hashX.hash(batchFrom: 0, count: Self.indexSpace, into: hashes)
        stage0()
        stage1()
        stage2()
        return stage3()
    }

    private func stage0() {
        let B = UInt64(Self.coarseBuckets)
        s1Count.initialize(repeating: 0, count: Self.coarseBuckets)
        for i in 0..<Self.indexSpace {
            let value = hashes[i]
            let bucket = Int(value % B)
            let item = Int(s1Count[bucket])
            if item >= Self.coarseItems { continue }
            s1Count[bucket] = UInt16(item + 1)
            s1Idx[bucket * Self.coarseItems + item] = UInt16(i)
            s1Data[bucket * Self.coarseItems + item] = value / B
        }
    }

    /// Item reference packed as the reference does: left item << 17 | right item << 8 | bucket.
    @inline(__always) private static func makeItem(_ bucket: Int, _ left: Int, _ right: Int) -> UInt32 {
        UInt32(left << 17 | right << 8 | bucket)
    }

    /// Fills the fine scratch table with item `item` of the complementary bucket.
    @inline(__always) private func addScratch(_ value: UInt64, _ item: Int) {
        let fine = Int(value % UInt64(Self.fineBuckets))
        let n = Int(scratchCount[fine])
        if n >= Self.fineItems { return }
        scratchCount[fine] = UInt8(n + 1)
        scratch[fine * Self.fineItems + n] = UInt16(item)
    }

    /// Generic pairing round: for each bucket b in 0...128 and its complement (-b mod 256), pair
    /// values whose sum is zero modulo 128 in the low bits; `emit` gets (bucket, item, cplItem, sum/128).
    @inline(__always)
    private func pairRound(count: UnsafeMutablePointer<UInt16>, value: (Int) -> UInt64,
                           emit: (Int, Int, Int, UInt64) -> Bool) -> Bool {
        let C = Self.coarseItems, F = UInt64(Self.fineBuckets)
        for bucket in 0..<(Self.coarseBuckets / 2 + 1) {
            let cpl = (Self.coarseBuckets - bucket) % Self.coarseBuckets
            let carry: UInt64 = bucket != 0 ? 1 : 0
            scratchCount.initialize(repeating: 0, count: Self.fineBuckets)
            func makePairs(_ item: Int) -> Bool {
                let v = value(bucket * C + item) &+ carry
                let fine = Int(v % F)
                let fineCpl = (Self.fineBuckets - fine) % Self.fineBuckets
                let n = Int(scratchCount[fineCpl])
                for k in 0..<n {
                    let cplIndex = Int(scratch[fineCpl * Self.fineItems + k])
                    let sum = (v &+ value(cpl * C + cplIndex)) / F
                    if !emit(bucket, item, cplIndex, sum) { return false }
                }
                return true
            }
            let cplSize = Int(count[cpl])
            for item in 0..<cplSize {
                addScratch(value(cpl * C + item), item)
                if cpl == bucket && !makePairs(item) { return false }
            }
            if cpl != bucket {
                for item in 0..<Int(count[bucket]) where !makePairs(item) { return false }
            }
        }
        return true
    }

    private func stage1() {
        let B = UInt64(Self.coarseBuckets), C = Self.coarseItems
        s2Count.initialize(repeating: 0, count: Self.coarseBuckets)
        let data = s1Data, count2 = s2Count, idx2 = s2Idx, data2 = s2Data
        _ = pairRound(count: s1Count, value: { data[$0] }, emit: { bucket, item, cplItem, sum in
            let b = Int(sum % B)
            let n = Int(count2[b])
            if n >= C { return true }
            count2[b] = UInt16(n + 1)
            idx2[b * C + n] = Self.makeItem(bucket, item, cplItem)
            data2[b * C + n] = sum / B
            return true
        })
    }

    private func stage2() {
        let B = UInt64(Self.coarseBuckets), C = Self.coarseItems
        s3Count.initialize(repeating: 0, count: Self.coarseBuckets)
        let data = s2Data, count3 = s3Count, idx3 = s3Idx, data3 = s3Data
        _ = pairRound(count: s2Count, value: { data[$0] }, emit: { bucket, item, cplItem, sum in
            let b = Int(sum % B)
            let n = Int(count3[b])
            if n >= C { return true }
            count3[b] = UInt16(n + 1)
            idx3[b * C + n] = Self.makeItem(bucket, item, cplItem)
            data3[b * C + n] = UInt32(truncatingIfNeeded: sum / B)
            return true
        })
    }

    private func stage3() -> [EquiX.Solution] {
        var solutions: [EquiX.Solution] = []
        let C = Self.coarseItems
        let data = s3Data
        _ = pairRound(count: s3Count, value: { UInt64(data[$0]) }, emit: { bucket, item, cplItem, sum in
            if sum & EquiX.stage1Mask == 0 {
                let cpl = (Self.coarseBuckets - bucket) % Self.coarseBuckets
                let left = self.s3Idx[bucket * C + item], right = self.s3Idx[cpl * C + cplItem]
                solutions.append(self.buildSolution(left, right))
                if solutions.count >= Self.maxSolutions { return false }
            }
            return true
        })
        return solutions
    }

    // MARK: Walking back from a stage-3 pair to the eight indices, in canonical order.

    private func parents(_ item: UInt32) -> (bucket: Int, cpl: Int, left: Int, right: Int) {
        let bucket = Int(item % UInt32(Self.coarseBuckets))
        return (bucket, (Self.coarseBuckets - bucket) % Self.coarseBuckets, Int(item >> 17), Int((item >> 8) & 511))
    }

    private func stage1Leaves(_ root: UInt32) -> [UInt16] {
        let p = parents(root), C = Self.coarseItems
        let a = s1Idx[p.bucket * C + p.left], b = s1Idx[p.cpl * C + p.right]
        return a <= b ? [a, b] : [b, a]
    }

    private func stage2Leaves(_ root: UInt32) -> [UInt16] {
        let p = parents(root), C = Self.coarseItems
        let l = stage1Leaves(s2Idx[p.bucket * C + p.left]), r = stage1Leaves(s2Idx[p.cpl * C + p.right])
        return key(l) <= key(r) ? l + r : r + l
    }

    private func buildSolution(_ left: UInt32, _ right: UInt32) -> EquiX.Solution {
        let l = stage2Leaves(left), r = stage2Leaves(right)
        return EquiX.Solution(indices: key(l) <= key(r) ? l + r : r + l)
    }

    private func key(_ idx: [UInt16]) -> UInt64 {
        var v: UInt64 = 0
        for (k, x) in idx.enumerated() { v |= UInt64(x) << (16 * UInt64(k)) }
        return v
    }
}
