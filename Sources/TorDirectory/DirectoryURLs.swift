/// Directory request paths (dir-spec Appendix B, §4.3, §6.1) and the HTTP/1.0 request C tor sends.
///
/// Paths are the plain forms (no `.z` suffix): compression is negotiated with `Accept-Encoding`
/// (``httpRequest(path:host:acceptEncoding:headers:)``), as C tor does since 0.3.1.
public enum DirectoryURLs {
    /// Microdescriptors per request over BEGIN_DIR (C tor's `max_dl_per_request` when tunnelled;
    /// 90 applies only to plain HTTP through proxies that limit URL length).
    public static let maxMicrodescriptorsPerRequest = 500
    /// The fewest per request when there are more (C tor's MIN_DL_PER_REQUEST).
    public static let minMicrodescriptorsPerRequest = 32
    /// Requests a download is spread over at least, before the per-request limits (C tor: MIN_REQUESTS).
    public static let minMicrodescriptorRequests = 3

    /// C tor's batch size for `count` microdescriptors: spread over at least three requests, 32 to 500 each.
    public static func microdescriptorBatchSize(for count: Int) -> Int {
        let spread = (count + minMicrodescriptorRequests - 1) / minMicrodescriptorRequests
        return max(min(minMicrodescriptorsPerRequest, count), min(spread, maxMicrodescriptorsPerRequest))
    }

    /// `/tor/status-vote/current/consensus-microdesc[/F1+F2+…][.z]`: the `Fi` are the first 3 bytes
    /// of the trusted v3 identities in upper-case hex, sorted; the server answers 404 unless more
    /// than half of them signed. Pass an empty list for the plain form.
    public static func consensus(authorities: [DirAuthority], compressed: Bool = false) -> String {
        let prefixes = authorities.compactMap { $0.isV3 ? $0.v3Identity : nil }
            .map { upperHex(Array($0.prefix(3))) }.sorted()
        var path = "/tor/status-vote/current/consensus-microdesc"
        if !prefixes.isEmpty { path += "/" + prefixes.joined(separator: "+") }
        return path + (compressed ? ".z" : "")
    }

    /// `/tor/keys/fp/A+B[.z]`: certificates for the given v3 identities (full hex, sorted).
    public static func authorityCertificates(identities: [[UInt8]], compressed: Bool = false) -> String {
        "/tor/keys/fp/" + identities.map(upperHex).sorted().joined(separator: "+") + (compressed ? ".z" : "")
    }

    /// `/tor/keys/fp-sk/ID-SK[.z]`: one certificate by identity and signing-key digest.
    public static func authorityCertificate(identity: [UInt8], signingKeyDigest: [UInt8], compressed: Bool = false) -> String {
        "/tor/keys/fp-sk/\(upperHex(identity))-\(upperHex(signingKeyDigest))" + (compressed ? ".z" : "")
    }

    /// `/tor/micro/d/D1-D2-…[.z]` in batches of ``microdescriptorBatchSize(for:)`` (or `batchSize`);
    /// `Di` is the SHA-256 digest in base64 without `=`. Digests are sorted for cache-friendliness.
    public static func microdescriptors(digests: [[UInt8]], compressed: Bool = false, batchSize: Int? = nil) -> [String] {
        let encoded = Array(Set(digests.map(base64NoPad))).sorted()
        let size = max(1, min(batchSize ?? microdescriptorBatchSize(for: encoded.count), maxMicrodescriptorsPerRequest))
        return stride(from: 0, to: encoded.count, by: size).map { start in
            "/tor/micro/d/" + encoded[start..<min(start + size, encoded.count)].joined(separator: "-") + (compressed ? ".z" : "")
        }
    }

    /// `/tor/hs/3/<base64(blinded key) without "=">` (never compressed).
    public static func hsDescriptor(blindedKey: [UInt8]) -> String {
        "/tor/hs/3/" + base64NoPad(blindedKey)
    }

    /// The request C tor sends (`dirclient.c`): `GET path HTTP/1.0`, `Host`, optional `Accept-Encoding`,
    /// then any further `headers` (e.g. `X-Or-Diff-From-Consensus`). Pass `acceptEncoding: nil` for
    /// anonymous (onion-service) requests.
    public static func httpRequest(path: String, host: String, acceptEncoding: String? = "identity",
                                   headers: [(name: String, value: String)] = []) -> [UInt8] {
        var text = "GET \(path) HTTP/1.0\r\nHost: \(host)\r\n"
        if let acceptEncoding { text += "Accept-Encoding: \(acceptEncoding)\r\n" }
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
