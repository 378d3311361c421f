/// Text that came from a device, a relay or the network, made safe to show on a terminal.
///
/// A terminal acts on control characters: ESC (`\x1b`) starts escape sequences that can move the
/// cursor, clear the screen, set the window title, remap keys or (on some terminals) query and
/// echo back answers; C1 controls (U+0080–U+009F, e.g. U+009B CSI) do the same in one character.
/// So every C0 control (U+0000–U+001F), DEL (U+007F) and C1 control is shown as `\xHH` (a
/// backslash, `x` and two lowercase hex digits of the code point): `ESC [ 2 J` becomes `\x1b[2J`,
/// U+009B becomes `\x9b`. Bytes that are not valid UTF-8 are shown the same way (`\xff`).
/// Everything else, including multi-byte UTF-8 such as `°C` or accented names, is kept as it is.
/// A backslash already in the text is not doubled: the result is for people to read, not to parse
/// back (`--json` output carries the exact text, JSON-escaped).
///
/// Used by the command line (human output, `-v` progress, error messages) and the dashboard's
/// screen grid, so nothing a device sends reaches the terminal raw. See docs/reliability.md.
public enum TerminalSafeText {
    /// Whether `scalar` can be written to a terminal as it is (not C0, DEL or C1).
    public static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return !(value < 0x20 || (0x7F...0x9F).contains(value))
    }

    /// `text` with every control character shown as `\xHH`.
    /// - Parameter keepingLineBreaks: keep `\n`, `\t` and the `\r` of `\r\n` (for multi-line text
    ///   such as a response body). Off by default: in a one-line field (a name, a status, an error)
    ///   a line break could forge a line of onionctl's own output.
    public static func escape(_ text: String, keepingLineBreaks: Bool = false) -> String {
        let scalars = text.unicodeScalars
        guard !scalars.allSatisfy(isSafe) else { return text }
        var out = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            if isSafe(scalar) || (keepingLineBreaks && keeps(scalar, followedBy: next < scalars.endIndex ? scalars[next] : nil)) {
                out.append(scalar)
            } else {
                out.append(contentsOf: hexEscape(UInt8(truncatingIfNeeded: scalar.value)).unicodeScalars)
            }
            index = next
        }
        return String(out)
    }

    /// `bytes` decoded as UTF-8 with every control character, and every byte that is not part of
    /// valid UTF-8, shown as `\xHH`.
    public static func escape(bytes: [UInt8], keepingLineBreaks: Bool = false) -> String {
        var out = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var valid = String.UnicodeScalarView()
        func flush() {
            if !valid.isEmpty { out += escape(String(valid), keepingLineBreaks: keepingLineBreaks) }
            valid = String.UnicodeScalarView()
        }
        while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(encoded):
                valid.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case let .error(length):
                flush()
                for byte in bytes[offset..<(offset + length)] { out += hexEscape(byte) }
                offset += length
            case .emptyInput:
                flush()
                return out
            }
        }
    }

    private static func keeps(_ scalar: Unicode.Scalar, followedBy next: Unicode.Scalar?) -> Bool {
        scalar == "\n" || scalar == "\t" || (scalar == "\r" && next == "\n")
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}

extension String {
    /// This text with control characters shown as `\xHH` (``TerminalSafeText/escape(_:keepingLineBreaks:)``).
    public var terminalSafe: String { TerminalSafeText.escape(self) }
}
