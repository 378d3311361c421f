import FoundationEssentials

/// How many colours the terminal gets from us.
public enum ColorLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case monochrome = 0, eight = 8, sixteen = 16, full = 256

    public static func < (a: ColorLevel, b: ColorLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .monochrome: return "mono"
        case .eight: return "8"
        case .sixteen: return "16"
        case .full: return "256"
        }
    }

    /// The fallback chain 256 → 16 → 8 → none.
    ///
    /// - Parameters:
    ///   - colors: terminfo's `COLORS` (0 when `has_colors()` is false).
    ///   - noColor: the `NO_COLOR` environment variable; non-empty turns colour off.
    ///   - choice: `--color` (always beats `NO_COLOR`, never beats everything).
    public static func choose(colors: Int, noColor: String?, choice: ColorChoice = .auto) -> ColorLevel {
        if choice == .never { return .monochrome }
        if choice == .auto, let noColor, !noColor.isEmpty { return .monochrome }
        if colors >= 256 { return .full }
        if colors >= 16 { return .sixteen }
        if colors >= 8 { return .eight }
        return .monochrome
    }
}

/// `--color auto|always|never`.
public enum ColorChoice: String, Sendable, CaseIterable { case auto, always, never }

/// A role's style resolved for one colour level: palette indices (-1 = terminal default).
public struct ResolvedStyle: Sendable, Hashable, CustomStringConvertible {
    public var foreground: Int
    public var background: Int
    public var attributes: TextAttributes

    public var description: String {
        var parts: [String] = []
        if foreground != -1 || background != -1 { parts.append("fg \(foreground) bg \(background)") }
        parts += attributes.names
        return parts.isEmpty ? "plain" : parts.joined(separator: ", ")
    }
}

/// A theme resolved for a terminal: one ``ResolvedStyle`` per role.
public struct Palette: Sendable, Equatable {
    public var level: ColorLevel
    public var styles: [Role: ResolvedStyle]

    public init(theme: Theme, level: ColorLevel) {
        self.level = level
        var styles: [Role: ResolvedStyle] = [:]
        for role in Role.allCases {
            if level == .monochrome {
                styles[role] = ResolvedStyle(foreground: -1, background: -1, attributes: theme.monoAttributes(role))
            } else {
                let s = theme.roles[role] ?? ThemeStyle()
                var attributes = s.attributes
                // With 8 or 16 colours, subtle backgrounds collapse to black: bars, selection and
                // focus also take their monochrome attributes (reverse) so they stay visible.
                if level < .full, Self.highlightRoles.contains(role) { attributes.formUnion(theme.monoAttributes(role)) }
                styles[role] = ResolvedStyle(foreground: Self.map(s.foreground, to: level),
                                             background: Self.map(s.background, to: level),
                                             attributes: attributes)
            }
        }
        self.styles = styles
    }

    public subscript(role: Role) -> ResolvedStyle { styles[role]! }

    /// Roles whose meaning is "this stands out" (see the 8/16-colour rule in the initialiser).
    static let highlightRoles: Set<Role> = [.selection, .button_focus, .tab_active, .header, .tab, .status, .key_hint,
                                            .flash, .danger]

    /// Maps a theme colour to a palette index available at `level`.
    static func map(_ color: ThemeColor, to level: ColorLevel) -> Int {
        switch color {
        case .terminalDefault: return -1
        case let .indexed(i):
            switch level {
            case .full: return i
            case .sixteen: return i < 16 ? i : nearest(rgb(of: i), among: 0..<16)
            case .eight: return i < 8 ? i : i < 16 ? i - 8 : nearest(rgb(of: i), among: 0..<8)
            case .monochrome: return -1
            }
        case let .rgb(r, g, b):
            let c = (Int(r), Int(g), Int(b))
            switch level {
            case .full: return to256(c)
            case .sixteen: return nearest(c, among: 0..<16)
            case .eight: return nearest(c, among: 0..<8)
            case .monochrome: return -1
            }
        }
    }

    /// xterm's RGB for palette index `i`.
    static func rgb(of i: Int) -> (Int, Int, Int) {
        let ansi: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
            (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
            (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        if i < 16 { return ansi[i] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let n = i - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[n / 36], steps[(n / 6) % 6], steps[n % 6])
    }

    /// Nearest palette entry in `range` by RGB distance.
    static func nearest(_ c: (Int, Int, Int), among range: Range<Int>) -> Int {
        range.min { distance(c, rgb(of: $0)) < distance(c, rgb(of: $1)) }!
    }

    /// 24-bit → 256: the better of the 6×6×6 cube and the grey ramp.
    static func to256(_ c: (Int, Int, Int)) -> Int {
        func cubeIndex(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let cube = 16 + 36 * cubeIndex(c.0) + 6 * cubeIndex(c.1) + cubeIndex(c.2)
        let avg = (c.0 + c.1 + c.2) / 3
        let grey = avg > 238 ? 255 : 232 + max(0, (avg - 3) / 10)
        return distance(c, rgb(of: grey)) < distance(c, rgb(of: cube)) ? grey : cube
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// A stable text listing (for snapshots and `--list-themes`-style diagnostics).
    public var listing: String {
        Role.allCases.map { "\($0.rawValue) = \(self[$0])" }.joined(separator: "\n") + "\n"
    }
}
