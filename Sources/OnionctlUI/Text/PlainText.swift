import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

// Small text helpers in the standard library (and libc), so that the CLI and the dashboard need only
// FoundationEssentials: it has no `CharacterSet` trimming, `String(format:)`, `padding(toLength:)` or
// `DateFormatter`, and full Foundation would load libFoundation and ICU into every onionctl process.

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Foundation's `.whitespaces`; newlines kept).
    public func trimmingBlanks() -> String { trimming { $0.isWhitespace && !$0.isNewline } }

    /// Without leading and trailing whitespace, newlines included.
    public func trimmingWhitespace() -> String { trimming(\.isWhitespace) }

    /// Cut or padded with spaces on the right to exactly `width` characters (as `padding(toLength:)`).
    public func paddedOrCut(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(self) + String(repeating: " ", count: width - count)
    }

    /// Padded on the left with `pad` to at least `width` characters (as printf's `%6s` / `%08X`).
    public func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? String(self) : String(repeating: pad, count: width - count) + self
    }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        guard let start = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[start...last])
    }
}

extension Double {
    /// The value with `places` (0–9) decimals and a `.`, exactly as printf's `%.Nf` in the C locale:
    /// the binary value is rounded to nearest, ties to even (`21.0`, `-0.5`, `0.1` for 0.05).
    public func fixed(_ places: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (self < 0 ? "-inf" : "inf") }
        let places = Swift.min(Swift.max(0, places), 9)
        let magnitude = Swift.abs(self)
        guard magnitude < 1e17 else { return "\(self)" }
        var power: UInt128 = 1
        for _ in 0..<places { power *= 10 }
        // magnitude = mantissa × 2^exponent, exactly.
        let mantissa = UInt128(magnitude.significandBitPattern) | (magnitude.isNormal ? 1 << 52 : 0)
        let exponent = magnitude.isNormal ? Int(magnitude.exponent) - 52 : -1074
        var scaled: UInt128 = 0
        if magnitude == 0 {
            scaled = 0
        } else if exponent >= 0 {
            scaled = (mantissa << exponent) * power
        } else if -exponent < 120 {
            let shift = -exponent, product = mantissa * power
            scaled = product >> shift
            let remainder = product & ((1 << shift) - 1), half: UInt128 = 1 << (shift - 1)
            if remainder > half || (remainder == half && scaled & 1 == 1) { scaled += 1 }
        }
        var digits = String(scaled)
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        }
        return (sign == .minus ? "-" : "") + digits
    }
}

extension BinaryInteger {
    /// Upper-case hexadecimal, zero-padded to `width` digits (printf's `%08X`).
    public func hex(width: Int, uppercase: Bool = true) -> String {
        String(self, radix: 16, uppercase: uppercase).leftPadded(to: width, with: "0")
    }
}

/// Where clock times are shown: UTC (tests), a fixed offset, or the system's local time (from libc,
/// which reads `TZ` and /etc/localtime; FoundationEssentials alone knows no named time zones).
public struct ClockZone: Sendable, Equatable {
    /// Seconds east of UTC; nil: the system's local time at the moment shown.
    public var fixedOffset: Int?

    public init(secondsFromGMT: Int) { fixedOffset = secondsFromGMT }
    private init(local: Void) { fixedOffset = nil }

    public static let utc = ClockZone(secondsFromGMT: 0)
    public static let local = ClockZone(local: ())

    /// The offset from UTC at `date`.
    public func secondsFromGMT(for date: Date) -> Int {
        if let fixedOffset { return fixedOffset }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// `HH:mm:ss` at `date` in this zone.
    public func clockTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + secondsFromGMT(for: date)
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return [day / 3600, day / 60 % 60, day % 60].map { String($0).leftPadded(to: 2, with: "0") }.joined(separator: ":")
    }
}
