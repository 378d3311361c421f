import Synchronization
import TorProto

/// What a stream receives.
public enum StreamEvent: Sendable {
    case connected
    case data([UInt8])
}

/// A bidirectional byte stream over a circuit (BEGIN / BEGIN_DIR), with Tor's flow control.
public final class TorStream: @unchecked Sendable {
    public let streamID: UInt16
    let circuit: Circuit
    let hop: Int
    private let events: AsyncQueue<StreamEvent>
    private let pushedBack = Mutex<[UInt8]?>(nil)
    private let closed = Mutex(false)

    init(circuit: Circuit, streamID: UInt16, hop: Int, events: AsyncQueue<StreamEvent>) {
        self.circuit = circuit
        self.streamID = streamID
        self.hop = hop
        self.events = events
    }

    func pushBack(_ bytes: [UInt8]) {
        pushedBack.withLock { $0 = bytes }
    }

    /// The next bytes received, or `nil` once the other end ended the stream cleanly.
    /// Throws ``StreamError`` if it ended with an error or the circuit failed.
    public func read() async throws -> [UInt8]? {
        if let bytes = pushedBack.withLock({ value -> [UInt8]? in defer { value = nil }; return value }) {
            circuit.consumed(cells: 1, streamID: streamID)
            return bytes
        }
        while true {
            guard let batch = try await events.nextBatch() else { return nil }
            var bytes = [UInt8]()
            var cells = 0
            for event in batch {
                if case let .data(chunk) = event {
                    if bytes.isEmpty { bytes = chunk } else { bytes.append(contentsOf: chunk) }
                    cells += 1
                }
            }
            if cells > 0 {
                circuit.consumed(cells: cells, streamID: streamID)
                return bytes
            }
        }
    }

    /// Reads until the other end closes, failing if more than `limit` bytes arrive.
    public func readToEnd(limit: Int) async throws -> [UInt8] {
        var out = [UInt8]()
        while let chunk = try await read() {
            out.append(contentsOf: chunk)
            if out.count > limit { close(); throw StreamError.tooLarge(limit: limit) }
        }
        return out
    }

    /// Sends bytes, split into DATA cells, waiting for flow-control windows as needed.
    public func write(_ bytes: [UInt8]) async throws {
        if closed.withLock({ $0 }) { throw StreamError.closed }
        try await circuit.sendData(bytes[...], streamID: streamID)
    }

    /// Ends the stream (RELAY_END, reason MISC as C tor sends). Safe to call more than once.
    public func close() {
        let wasClosed = closed.withLock { value -> Bool in defer { value = true }; return value }
        if !wasClosed { circuit.endStream(streamID) }
    }

    deinit { close() }
}
