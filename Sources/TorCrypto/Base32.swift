/// RFC 4648 base32 (alphabet `A-Z2-7`), as used for onion addresses and client-auth keys.
public enum Base32 {
    private static let lower = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
    private static let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes without padding; lower case unless `uppercase`.
    public static func encode(_ bytes: [UInt8], uppercase: Bool = false) -> String {
        let alphabet = uppercase ? upper : lower
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes case-insensitively. Trailing `=` padding is tolerated but not required.
    /// - Throws: `.decodingFailed` for characters outside the alphabet, `=` before the end, or
    ///   a length no byte string encodes to.
    public static func decode(_ string: String) throws -> [UInt8] {
        var chars = Array(string.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        switch chars.count % 8 {
        case 1, 3, 6: throw CryptoError.decodingFailed("base32 input has an impossible length (\(chars.count) characters)")
        default: break
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for c in chars {
            let v: UInt32
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"): v = UInt32(c - UInt8(ascii: "2") + 26)
            default: throw CryptoError.decodingFailed("invalid base32 character \(String(UnicodeScalar(c)).debugDescription)")
            }
            buffer = (buffer << 5) | v
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
