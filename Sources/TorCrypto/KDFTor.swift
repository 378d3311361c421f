/// KDF-TOR (tor-spec §5.2.1), used by CREATE_FAST: `SHA1(K0|00) | SHA1(K0|01) | ...`.
public enum KDFTor {
    /// Derives `outputLength` bytes from `k0`.
    /// - Precondition: `outputLength <= 256 * 20` (the counter is one byte).
    public static func derive(_ k0: [UInt8], outputLength: Int) -> [UInt8] {
        precondition(outputLength >= 0 && outputLength <= 256 * 20, "KDF-TOR output length out of range")
        var out: [UInt8] = []
        out.reserveCapacity(outputLength + 20)
        var input = k0
        input.append(0)
        var counter = 0
        while out.count < outputLength {
            input[input.count - 1] = UInt8(counter)
            out.append(contentsOf: Hash.sha1(input))
            counter += 1
        }
        return Array(out.prefix(outputLength))
    }
}
