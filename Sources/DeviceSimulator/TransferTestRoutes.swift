/// Bulk-transfer endpoints for end-to-end tests and benchmarks (not part of a real device's API):
/// `GET /test/blob?bytes=N` returns N bytes of a known pattern, `POST /test/echo` returns the body.
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
        router.add("POST", "/test/echo") { request in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
    }
}
