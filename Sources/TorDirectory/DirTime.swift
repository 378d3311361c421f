import FoundationEssentials

/// Tor's directory timestamps: `YYYY-MM-DD HH:MM:SS`, always UTC (dir-spec §1.3 "ISOTime").
///
/// Parsed arithmetically (no `DateFormatter`), so it is thread-safe and locale-independent.
public enum DirTime {
    /// Parses the two arguments `date` and `time`; `nil` if malformed or out of range.
    public static func parse(date: String, time: String) -> Date? {
        let d = date.split(separator: "-", omittingEmptySubsequences: false)
        let t = time.split(separator: ":", omittingEmptySubsequences: false)
        guard d.count == 3, t.count == 3, d[0].count == 4, d[1].count == 2, d[2].count == 2,
              t.allSatisfy({ $0.count == 2 }),
              let year = Int(d[0]), let month = Int(d[1]), let day = Int(d[2]),
              let hour = Int(t[0]), let minute = Int(t[1]), let second = Int(t[2]),
              (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    /// Parses `"YYYY-MM-DD HH:MM:SS"`.
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        return parse(date: String(parts[0]), time: String(parts[1]))
    }

    /// Formats `date` as `YYYY-MM-DD HH:MM:SS` (UTC).
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86400
        var seconds = total % 86400
        if seconds < 0 { seconds += 86400; days -= 1 }
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// Reads a timestamp from arguments `index` and `index + 1` of `item`.
    static func parse(_ item: NetDocument.Item, at index: Int = 0) throws -> Date {
        let date = try item.argument(index), time = try item.argument(index + 1)
        guard let value = parse(date: date, time: time) else {
            throw NetDocumentError.badArgument(keyword: item.keyword, value: "\(date) \(time)", line: item.line)
        }
        return value
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
