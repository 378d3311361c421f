import TorCircuits

/// A bidirectional byte stream an HTTP exchange runs over (a Tor stream, or a TCP socket in tests).
public protocol ByteStream: Sendable {
    /// The next bytes, or `nil` at end of stream.
    func read() async throws -> [UInt8]?
    func write(_ bytes: [UInt8]) async throws
    func close()
}

extension TorStream: ByteStream {}
