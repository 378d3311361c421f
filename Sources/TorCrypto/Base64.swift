/// RFC 4648 base64 (standard alphabet), tolerant of Tor's habit of dropping padding.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Encodes with `=` padding unless `padding` is false. No line breaks.
    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if padding { out.append(contentsOf: Array("==".utf8)) }
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            if padding { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes, ignoring ASCII whitespace (so PEM bodies with newlines work) and accepting
    /// missing padding.
    /// - Throws: `.decodingFailed` for characters outside the alphabet, data after `=`,
    ///   too much padding, or a dangling single character.
    public static func decode(_ string: String) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var count = 0        // significant characters seen
        var padding = 0
        for c in string.utf8 {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "="):
                padding += 1
                continue
            default:
                break
            }
            if padding > 0 { throw CryptoError.decodingFailed("base64 data after padding") }
            let v = decodeTable[Int(c)]
            if v == 0xFF { throw CryptoError.decodingFailed("invalid base64 character \(String(UnicodeScalar(c)).debugDescription)") }
            buffer = buffer << 6 | UInt32(v)
            count += 1
            if count % 4 == 0 {
                out.append(UInt8(truncatingIfNeeded: buffer >> 16))
                out.append(UInt8(truncatingIfNeeded: buffer >> 8))
                out.append(UInt8(truncatingIfNeeded: buffer))
                buffer = 0
            }
        }
        switch count % 4 {
        case 0:
            guard padding == 0 else { throw CryptoError.decodingFailed("unexpected base64 padding") }
        case 1:
            throw CryptoError.decodingFailed("base64 input has a dangling character")
        case 2:
            guard padding == 0 || padding == 2 else { throw CryptoError.decodingFailed("bad base64 padding") }
            out.append(UInt8(truncatingIfNeeded: buffer >> 4))
        default: // 3
            guard padding <= 1 else { throw CryptoError.decodingFailed("bad base64 padding") }
            out.append(UInt8(truncatingIfNeeded: buffer >> 10))
            out.append(UInt8(truncatingIfNeeded: buffer >> 2))
        }
        return out
    }
}
