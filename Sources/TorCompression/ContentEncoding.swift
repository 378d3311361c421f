/// A compression a tor directory server may apply to its answer (dir-spec §6.2 and prop 278:
/// the client lists what it accepts in `Accept-Encoding`, the server names its choice in
/// `Content-Encoding`).
public enum ContentEncoding: String, Sendable, CaseIterable, CustomStringConvertible {
    case identity
    /// zlib format (RFC 1950), what C tor calls ZLIB_METHOD.
    case deflate
    case gzip
    case zstd = "x-zstd"
    /// LZMA in the "alone" (`.lzma`) container, as C tor's `compress_lzma.c` writes it.
    case lzma = "x-tor-lzma"

    /// The `Accept-Encoding` value for one-hop directory requests, best first (C tor's
    /// `client_meth_pref`: LZMA, zstd, zlib, gzip, none).
    public static let acceptHeader = "x-tor-lzma, x-zstd, deflate, gzip, identity"

    /// The encoding a `Content-Encoding` header value names; an absent header means identity.
    public init(headerValue: String?) throws(DecompressionError) {
        guard let value = headerValue?.trimmingCharacters(in: [" ", "\t"]).lowercased(), !value.isEmpty else {
            self = .identity
            return
        }
        guard let encoding = ContentEncoding(rawValue: value) else { throw .unknownEncoding(value) }
        self = encoding
    }

    public var description: String { rawValue }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
