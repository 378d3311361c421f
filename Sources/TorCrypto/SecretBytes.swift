import CSodium

/// Owns secret key bytes in its own allocation and wipes them (`sodium_memzero`) on deinit.
/// Immutable after creation, hence `Sendable`.
public final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer
    /// Number of secret bytes.
    public let count: Int

    /// Copies `bytes` into wiped-on-release storage. (The caller's array is not wiped.)
    public init(_ bytes: [UInt8]) {
        count = bytes.count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in
            if let base = src.baseAddress { pointer.copyMemory(from: base, byteCount: count) }
        }
    }

    /// Creates `count` bytes filled in place by `initializer`, so no intermediate array holds them.
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        precondition(count >= 0)
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            sodium_memzero(pointer, max(count, 1))
            pointer.deallocate()
            throw error
        }
    }

    deinit {
        sodium_memzero(pointer, max(count, 1))
        pointer.deallocate()
    }

    /// Gives temporary read access to the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// A copy of the bytes as an ordinary (not wiped) array; use sparingly.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }
}

/// Overwrites `bytes` with zeros in place (`sodium_memzero`, which the compiler may not elide),
/// for key material that had to pass through an ordinary array. Swift may have copied the array
/// before (copy-on-write, reallocation); those copies are not reached: hold long-lived secrets
/// in ``SecretBytes`` instead.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
    }
}
