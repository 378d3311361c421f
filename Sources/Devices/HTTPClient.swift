import FoundationEssentials
import TorCircuits

/// Sends one HTTP/1.1 request over a byte stream and reads exactly one response, framed by
/// its headers (devices behind Minitor never send EOF after a response).
public struct HTTPClient: Sendable {
    public var timeout: TimeInterval
    public var maxBodyBytes: Int

    public init(timeout: TimeInterval = 30, maxBodyBytes: Int = 16 << 20) {
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// Errors are ``HTTPError`` values: `.connectionClosed` and `.streamFailed` say how many bytes
    /// of the answer arrived, so a device that never answered is told from one that answered badly.
    public func send(_ request: HTTPRequest, over stream: any ByteStream) async throws -> HTTPResponse {
        let maxBody = maxBodyBytes
        return try await withTimeout(timeout, error: HTTPError.timedOut("waiting for \(request.method) \(request.path)")) {
            do { try await stream.write(request.encoded()) } catch { throw Self.streamFailure(error, received: 0) }
            var parser = HTTPResponseParser(maxBodyBytes: maxBody)
            parser.expectsBody = request.method != "HEAD"
            var received = 0
            while true {
                let bytes: [UInt8]?
                do { bytes = try await stream.read() } catch { throw Self.streamFailure(error, received: received) }
                guard let bytes else {
                    do { return try parser.finish() } catch HTTPError.connectionClosed {
                        throw HTTPError.connectionClosed(received: received)
                    }
                }
                received += bytes.count
                if let response = try parser.feed(bytes) { return response }
            }
        }
    }

    /// A failure of the stream itself (circuit lost, stream ended with an error) as an ``HTTPError``.
    private static func streamFailure(_ error: any Error, received: Int) -> any Error {
        if error is HTTPError || error is CancellationError { return error }
        return HTTPError.streamFailed(received: received, detail: "\(error)")
    }
}
