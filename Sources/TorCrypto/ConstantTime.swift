import CSodium

/// Compares two byte arrays in time that depends only on their lengths (`sodium_memcmp`).
/// Arrays of different lengths are unequal (the length itself is not secret).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    ensureSodium()
    return sodium_memcmp(a, b, a.count) == 0
}

/// True when every byte is zero, checked in constant time (`sodium_is_zero`).
public func constantTimeIsZero(_ a: [UInt8]) -> Bool {
    if a.isEmpty { return true }
    ensureSodium()
    return sodium_is_zero(a, a.count) == 1
}
