/// BLAKE2b (RFC 7693) with the full parameter block: any digest length from 1 to 64 bytes, a 16-byte
/// salt and a 16-byte personalisation, no key.
///
/// Written in Swift because the onion-service proof of work needs what neither library offers:
/// libsodium's `crypto_generichash` refuses digests shorter than 16 bytes (the PoW check hashes to 4
/// bytes, and the digest length is part of the parameter block, so truncating is not the same), and
/// OpenSSL 3.0 has no BLAKE2b length parameter. HashX also needs the salt ("HashX v1").
public struct Blake2b: Sendable {
    /// Why a BLAKE2b parameter was refused.
    public enum ParameterError: Error, Equatable, Sendable {
        case digestLength(Int)
        case saltLength(Int)
        case personalLength(Int)
    }

    private static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]

    private static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    private var h: [UInt64]
    private var buffer: [UInt8] = []
    private var counter: UInt64 = 0
    private let digestLength: Int

    /// Starts a hash with `digestLength` bytes of output and optional 16-byte `salt` / `personal`
    /// (shorter values are zero-padded, as the reference implementations do).
    public init(digestLength: Int, salt: [UInt8] = [], personal: [UInt8] = []) throws(ParameterError) {
        guard (1...64).contains(digestLength) else { throw .digestLength(digestLength) }
        guard salt.count <= 16 else { throw .saltLength(salt.count) }
        guard personal.count <= 16 else { throw .personalLength(personal.count) }
        self.digestLength = digestLength
        var block = [UInt8](repeating: 0, count: 64)
        block[0] = UInt8(digestLength)
        block[2] = 1  // fanout
        block[3] = 1  // depth
        for (i, b) in salt.enumerated() { block[32 + i] = b }
        for (i, b) in personal.enumerated() { block[48 + i] = b }
        h = (0..<8).map { Self.iv[$0] ^ Self.load64(block, 8 * $0) }
    }

    /// One-shot BLAKE2b.
    public static func hash(_ data: [UInt8], digestLength: Int, salt: [UInt8] = [],
                            personal: [UInt8] = []) throws(ParameterError) -> [UInt8] {
        var b = try Blake2b(digestLength: digestLength, salt: salt, personal: personal)
        b.update(data)
        return b.finalize()
    }

    /// Adds `data` to the message.
    public mutating func update(_ data: [UInt8]) {
        for byte in data {
            if buffer.count == 128 {
                counter &+= 128
                compress(buffer, last: false)
                buffer.removeAll(keepingCapacity: true)
            }
            buffer.append(byte)
        }
    }

    /// The digest; the hasher should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        counter &+= UInt64(buffer.count)
        var block = buffer
        block.append(contentsOf: [UInt8](repeating: 0, count: 128 - block.count))
        compress(block, last: true)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for word in h { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(k)))) } }
        return Array(out.prefix(digestLength))
    }

    private static func load64(_ b: [UInt8], _ offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(b[offset + k]) << (8 * UInt64(k)) }
        return v
    }

    private mutating func compress(_ block: [UInt8], last: Bool) {
        let m = (0..<16).map { Self.load64(block, 8 * $0) }
        var v = h + Self.iv
        v[12] ^= counter
        if last { v[14] = ~v[14] }
        func g(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
            v[a] = v[a] &+ v[b] &+ x; v[d] = (v[d] ^ v[a]).rotatedRight(32)
            v[c] = v[c] &+ v[d];      v[b] = (v[b] ^ v[c]).rotatedRight(24)
            v[a] = v[a] &+ v[b] &+ y; v[d] = (v[d] ^ v[a]).rotatedRight(16)
            v[c] = v[c] &+ v[d];      v[b] = (v[b] ^ v[c]).rotatedRight(63)
        }
        for round in 0..<12 {
            let s = Self.sigma[round % 10]
            g(0, 4, 8, 12, m[s[0]], m[s[1]])
            g(1, 5, 9, 13, m[s[2]], m[s[3]])
            g(2, 6, 10, 14, m[s[4]], m[s[5]])
            g(3, 7, 11, 15, m[s[6]], m[s[7]])
            g(0, 5, 10, 15, m[s[8]], m[s[9]])
            g(1, 6, 11, 12, m[s[10]], m[s[11]])
            g(2, 7, 8, 13, m[s[12]], m[s[13]])
            g(3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        for i in 0..<8 { h[i] ^= v[i] ^ v[i + 8] }
    }
}

extension UInt64 {
    @inline(__always) func rotatedRight(_ n: UInt64) -> UInt64 { (self >> n) | (self << (64 - n)) }
}
