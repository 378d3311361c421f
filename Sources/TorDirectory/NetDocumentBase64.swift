/// Base64 as Tor writes it in arguments: padding optional, whitespace ignored. `nil` on a bad
/// character.
///
/// Used for base64 *arguments*, whose lengths every caller checks. Object bodies are decoded
/// with ``decodeObjectBase64(_:)``, which follows C tor's `base64_decode` exactly.
public func decodeBase64Lenient(_ text: String) -> [UInt8]? {
    var values = [UInt8]()
    values.reserveCapacity(text.utf8.count)
    for c in text.utf8 {
        if let value = base64Value(c) { values.append(value); continue }
        switch c {
        case 61, 32, 10, 13, 9: continue
        default: return nil
        }
    }
    return packBase64(values)
}

/// The body of a `-----BEGIN TAG-----` object, decoded as C tor's `base64_decode`
/// (src/lib/encoding/binascii.c) does:
///
/// - space, tab, LF, VT and CR are skipped anywhere, so any line breaking is accepted;
/// - the first `=` ends the data: padding is optional and what follows it is ignored;
/// - any other byte outside the base64 alphabet is an error;
/// - a single dangling character (6 bits) is an error.
///
/// `nil` when the body is not base64.
public func decodeObjectBase64<Bytes: Collection>(_ body: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
    var values = [UInt8]()
    values.reserveCapacity(body.count)
    loop: for c in body {
        if let value = base64Value(c) { values.append(value); continue }
        switch c {
        case 32, 9, 10, 11, 13: continue
        case 61: break loop
        default: return nil
        }
    }
    return packBase64(values)
}

/// Packs 6-bit values into bytes; leftover bits of a final partial group are dropped, and a
/// lone leftover value (which cannot make a byte) is an error.
private func packBase64(_ values: [UInt8]) -> [UInt8]? {
    if values.count % 4 == 1 { return nil }
    var out = [UInt8]()
    out.reserveCapacity(values.count * 3 / 4)
    var index = 0
    while index + 4 <= values.count {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
        out.append(UInt8(v >> 16)); out.append(UInt8(v >> 8 & 0xff)); out.append(UInt8(v & 0xff))
        index += 4
    }
    let rest = values.count - index
    if rest == 2 {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
        out.append(UInt8(v >> 16))
    } else if rest == 3 {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6
        out.append(UInt8(v >> 16)); out.append(UInt8(v >> 8 & 0xff))
    }
    return out
}

/// The 6-bit value of a base64 alphabet character, `nil` for any other byte.
@inline(__always)
func base64Value(_ c: UInt8) -> UInt8? {
    switch c {
    case 65...90: return c - 65
    case 97...122: return c - 71
    case 48...57: return c + 4
    case 43: return 62
    case 47: return 63
    default: return nil
    }
}
