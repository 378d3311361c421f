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

    public func send(_ request: HTTPRequest, over stream: any ByteStream) async throws -> HTTPResponse {
        let maxBody = maxBodyBytes
        return try await withTimeout(timeout, error: HTTPError.timedOut("waiting for \(request.method) \(request.path)")) {
            try await stream.write(request.encoded())
            var parser = HTTPResponseParser(maxBodyBytes: maxBody)
            parser.expectsBody = request.method != "HEAD"
            while true {
                guard let bytes = try await stream.read() else { return try parser.finish() }
                if let response = try parser.feed(bytes) { return response }
            }
        }
    }
}
