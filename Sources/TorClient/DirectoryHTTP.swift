import TorCircuits
import TorCompression
import TorDirectory

/// A directory server's answer to one BEGIN_DIR request, decoded.
struct DirectoryAnswer: Sendable {
    var status: Int
    /// The body after decompression.
    var body: [UInt8]
    /// The compression the server chose.
    var encoding: ContentEncoding
    /// Bytes that crossed the circuit (headers and compressed body).
    var wireBytes: Int
}

enum DirectoryHTTP {
    /// Sends `GET path` on a fresh BEGIN_DIR stream of `circuit`, offering every compression
    /// onionctl decodes (one-hop directory requests only: C tor allows only zlib on anonymous
    /// ones), and reads and decodes the whole answer. `limit` bounds both what is read and what
    /// the body may decompress to.
    static func get(_ path: String, on circuit: Circuit, host: String, limit: Int = 64 << 20,
                    timeout: Double = 60, headers: [(name: String, value: String)] = []) async throws -> DirectoryAnswer {
        let stream = try await circuit.openStream(.beginDir, timeout: timeout)
        defer { stream.close() }
        try await stream.write(DirectoryURLs.httpRequest(path: path, host: host, acceptEncoding: ContentEncoding.acceptHeader,
                                                         headers: headers))
        let raw = try await withTimeout(timeout, error: DirectoryError.timedOut("fetching \(path)")) {
            try await stream.readToEnd(limit: limit)
        }
        return try decode(raw, path: path, limit: limit)
    }

    static func decode(_ raw: [UInt8], path: String, limit: Int) throws -> DirectoryAnswer {
        let response: DirectoryResponse
        do { response = try DirectoryResponse(raw) } catch {
            throw DirectoryError.badResponse(path, "\(error)")
        }
        do {
            let encoding = try ContentEncoding(headerValue: response.headers["content-encoding"])
            let body = try Decompressor.decompress(response.body, encoding: encoding, limits: DecompressionLimits(maxOutput: limit))
            return DirectoryAnswer(status: response.statusCode, body: body, encoding: encoding, wireBytes: raw.count)
        } catch {
            throw DirectoryError.badResponse(path, "\(error)")
        }
    }
}
