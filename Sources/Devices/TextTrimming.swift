/// Trimming and formatting helpers for the HTTP and address-book parsers, in the standard library
/// only (the client's modules use FoundationEssentials, which lacks `CharacterSet` and `String(format:)`).
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (newlines kept).
    func trimmingBlanks() -> String {
        trimming { $0.isWhitespace && !$0.isNewline }
    }

    /// Without leading and trailing whitespace, newlines included.
    func trimmingWhitespace() -> String {
        trimming(\.isWhitespace)
    }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        guard let start = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[start...last])
    }
}

extension Unicode.Scalar {
    /// `A`–`Z`, `a`–`z` or `0`–`9`.
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }

    /// `\uXXXX` (four hex digits, in the case asked for), as JSON and TOML escape a control character.
    func unicodeEscape(uppercase: Bool) -> String {
        let hex = String(value, radix: 16, uppercase: uppercase)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
