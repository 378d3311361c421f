import TorCircuits
import TorDirectory

/// A directory server's answer to one BEGIN_DIR request.
struct DirectoryResponse: Sendable {
    var status: Int
    var body: [UInt8]
}

enum DirectoryHTTP {
    /// Sends `GET path` on a fresh BEGIN_DIR stream of `circuit` and reads the whole answer.
    static func get(_ path: String, on circuit: Circuit, host: String, limit: Int = 64 << 20,
                    timeout: Double = 60) async throws -> DirectoryResponse {
        let stream = try await circuit.openStream(.beginDir, timeout: timeout)
        defer { stream.close() }
        try await stream.write(DirectoryURLs.httpRequest(path: path, host: host))
        let raw = try await withTimeout(timeout, error: DirectoryError.timedOut("fetching \(path)")) {
            try await stream.readToEnd(limit: limit)
        }
        return try parse(raw, path: path)
    }

    static func parse(_ raw: [UInt8], path: String) throws -> DirectoryResponse {
        guard let headerEnd = raw.firstRange(of: [13, 10, 13, 10]) else {
            throw DirectoryError.badResponse(path, "no end of HTTP headers in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<headerEnd.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw DirectoryError.badResponse(path, "bad status line '\(statusLine)'")
        }
        let lowered = head.lowercased()
        if lowered.contains("content-encoding:") && !lowered.contains("content-encoding: identity") {
            throw DirectoryError.badResponse(path, "compressed answer despite asking for identity")
        }
        return DirectoryResponse(status: status, body: Array(raw[headerEnd.upperBound...]))
    }
}
