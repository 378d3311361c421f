/// Bulk-transfer endpoints for end-to-end tests and benchmarks (not part of a real device's API):
/// `GET /test/blob?bytes=N` returns N bytes of a known pattern, `POST /test/echo` returns the body;
/// `/test/endless`, `/test/stall` and `/test/huge` misbehave on purpose (hostile-peer tests).
enum TransferTestRoutes {
    /// The most `/test/blob` will produce.
    static let maxBlobBytes = 64 << 20

    /// Byte `index` of the blob pattern (also computed by the tests that check it).
    @inline(__always)
    static func patternByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 31 &+ (index >> 8)) }

    static func add(to router: inout Router) {
        router.add("GET", "/test/blob") { request in
            let bytes = request.query.flatMap { query in
                query.split(separator: "&").compactMap { pair -> Int? in
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    return parts.count == 2 && parts[0] == "bytes" ? Int(parts[1]) : nil
                }.first
            } ?? 0
            guard bytes >= 0 && bytes <= maxBlobBytes else {
                return .text(422, "bytes must be between 0 and \(maxBlobBytes)\n")
            }
            var body = [UInt8](repeating: 0, count: bytes)
            for index in 0..<bytes { body[index] = patternByte(index) }
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: body)
        }
        // Hostile responses, for tests that the client bounds time and memory.
        router.add("GET", "/test/endless") { _ in
            // A chunked body that keeps coming (4 MiB here) and never ends.
            var response = HTTPResponse(status: 200, body: [UInt8](repeating: 0x41, count: 4 << 20), chunked: true)
            response.omitsFinalChunk = true
            return response
        }
        router.add("GET", "/test/stall") { _ in
            // Promises 1000 bytes, sends 10, then holds the connection open.
            HTTPResponse(status: 200, body: Array("0123456789".utf8), declaredLength: 1000)
        }
        router.add("GET", "/test/huge") { _ in
            // Announces a one-terabyte body.
            HTTPResponse(status: 200, body: Array("x".utf8), declaredLength: 1 << 40)
        }
        router.add("POST", "/test/echo") { request in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
    }
}
