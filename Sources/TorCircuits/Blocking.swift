/// Runs blocking work (connect, TLS handshake) on its own thread so the cooperative pool never stalls.
func runBlocking<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        do {
            try startDetachedThread(name: name) {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
        } catch {
            continuation.resume(throwing: error)
        }
    }
}
