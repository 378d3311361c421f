/// The SipHash pieces HashX uses: a keyed counter-mode SipHash-1-3 for the program generator's
/// random stream, and a SipHash-2-4 counter mode that fills the eight registers from the input.
struct SipHashKey: Sendable, Equatable {
    var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64
}

@inline(__always)
func sipRound(_ v0: inout UInt64, _ v1: inout UInt64, _ v2: inout UInt64, _ v3: inout UInt64) {
    v0 = v0 &+ v1; v2 = v2 &+ v3; v1 = v1.rotl(13)
    v3 = v3.rotl(16); v1 ^= v0; v3 ^= v2
    v0 = v0.rotl(32); v2 = v2 &+ v1; v0 = v0 &+ v3
    v1 = v1.rotl(17); v3 = v3.rotl(21)
    v1 ^= v2; v3 ^= v0; v2 = v2.rotl(32)
}

extension UInt64 {
    @inline(__always) func rotl(_ n: UInt64) -> UInt64 { (self &<< n) | (self &>> (64 &- n)) }
    @inline(__always) func rotr(_ n: UInt64) -> UInt64 { (self &>> n) | (self &<< (64 &- n)) }
}

extension SipHashKey {
    /// SipHash-1-3 of one counter word (the generator's random stream).
    func sipHash13(counter input: UInt64) -> UInt64 {
        var v0 = self.v0, v1 = self.v1, v2 = self.v2, v3 = self.v3
        v3 ^= input
        sipRound(&v0, &v1, &v2, &v3)
        v0 ^= input
        v2 ^= 0xff
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        return (v0 ^ v1) ^ (v2 ^ v3)
    }

    /// SipHash-2-4 in a 512-bit output mode: the initial register file for `input`.
    @inline(__always)
    func sipHash24State512(_ input: UInt64, into r: UnsafeMutablePointer<UInt64>, stride: Int) {
        var v0 = self.v0, v1 = self.v1, v2 = self.v2, v3 = self.v3
        v1 ^= 0xee
        v3 ^= input
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        v0 ^= input
        v2 ^= 0xee
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        r[0] = v0; r[stride] = v1; r[2 * stride] = v2; r[3 * stride] = v3
        v1 ^= 0xdd
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        sipRound(&v0, &v1, &v2, &v3)
        r[4 * stride] = v0; r[5 * stride] = v1; r[6 * stride] = v2; r[7 * stride] = v3
    }
}

/// The program generator's random stream: SipHash-1-3 over a counter, consumed as bytes or as 32-bit
/// words from two independent buffers (most significant part first), as HashX specifies.
struct SipHashRNG {
    let key: SipHashKey
    private var counter: UInt64 = 0
    private var buffer8: UInt64 = 0, buffer32: UInt64 = 0
    private var count8 = 0, count32 = 0

    init(key: SipHashKey) { self.key = key }

    mutating func nextU8() -> UInt8 {
        if count8 == 0 {
            buffer8 = key.sipHash13(counter: counter)
            counter &+= 1
            count8 = 8
        }
        count8 -= 1
        return UInt8(truncatingIfNeeded: buffer8 >> (UInt64(count8) * 8))
    }

    mutating func nextU32() -> UInt32 {
        if count32 == 0 {
            buffer32 = key.sipHash13(counter: counter)
            counter &+= 1
            count32 = 2
        }
        count32 -= 1
        return UInt32(truncatingIfNeeded: buffer32 >> (UInt64(count32) * 32))
    }
}
