import Foundation

/// A value guarded by a lock, shareable across threads.
///
/// This is the only `@unchecked Sendable` primitive in the module: every access to `value`
/// happens inside `withLock`, under `NSLock`.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value and returns its result.
    @discardableResult
    public func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
