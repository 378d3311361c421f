import CSodium

/// Cryptographically secure random bytes (libsodium `randombytes_buf`).
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0)
        ensureSodium()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buf in
            if let base = buf.baseAddress { randombytes_buf(base, buf.count) }
        }
        return out
    }

    /// Fills `buffer` with random bytes in place.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        ensureSodium()
        if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
    }
}
