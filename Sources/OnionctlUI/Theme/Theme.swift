import FoundationEssentials

/// Text attributes that survive without colour.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let underline = TextAttributes(rawValue: 4)
    public static let reverse = TextAttributes(rawValue: 8)
    public static let standout = TextAttributes(rawValue: 16)

    static let names: [(String, TextAttributes)] = [
        ("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse), ("standout", .standout),
    ]

    var names: [String] { Self.names.filter { contains($0.1) }.map(\.0) }
}

/// A colour as written in a theme file.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground/background (ncurses `-1`).
    case terminalDefault
    /// A palette index 0–255 (0–15 are the ANSI colours).
    case indexed(Int)
    /// 24-bit colour, mapped to the nearest palette entry the terminal has.
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    init?(parsing text: String) {
        let t = text.trimmingBlanks().lowercased()
        if t == "default" || t == "-" { self = .terminalDefault; return }
        if let i = Self.ansiNames.firstIndex(of: t) { self = .indexed(i); return }
        if t.hasPrefix("bright-"), let i = Self.ansiNames.firstIndex(of: String(t.dropFirst(7))) {
            self = .indexed(i + 8)
            return
        }
        if let n = Int(t), (0...255).contains(n) { self = .indexed(n); return }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xff), UInt8(v & 0xff))
            return
        }
        return nil
    }
}

/// One role's style as written: colours plus attributes.
public struct ThemeStyle: Sendable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Parses `"<fg> [on <bg>][, attr…]"`, or attributes alone (`"bold, reverse"`).
    init(parsing value: String) throws(ThemeError) {
        var parts = value.split(separator: ",").map { $0.trimmingBlanks() }
        self.init()
        guard !parts.isEmpty else { return }
        let first = parts[0]
        let words = first.split(separator: " ").map(String.init)
        let isColourSpec = words.contains("on") || (words.count == 1 && ThemeColor(parsing: words[0]) != nil
                                                    && TextAttributes.names.allSatisfy { $0.0 != words[0] })
        if isColourSpec {
            parts.removeFirst()
            if let on = words.firstIndex(of: "on") {
                guard on == 1, words.count == 3, let fg = ThemeColor(parsing: words[0]), let bg = ThemeColor(parsing: words[2])
                else { throw ThemeError("cannot read colours “\(first)”; write e.g. “#e5e9f0 on #3b4252”") }
                foreground = fg
                background = bg
            } else if let fg = ThemeColor(parsing: words[0]) {
                foreground = fg
            }
        }
        for part in parts where !part.isEmpty {
            guard let attr = TextAttributes.names.first(where: { $0.0 == part.lowercased() })?.1 else {
                throw ThemeError("unknown attribute “\(part)”; use bold, dim, underline, reverse or standout")
            }
            attributes.insert(attr)
        }
    }
}

/// A problem in a theme file, with its line.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int?
    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }
    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// A parsed theme: a style per role for colour terminals, and attributes per role for monochrome.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var variant: String
    public var roles: [Role: ThemeStyle]
    /// `[mono]` section: attributes used when colours are off.
    public var mono: [Role: TextAttributes]
    /// Roles the file did not define (filled from the default theme when loaded).
    public var missingRoles: [Role] { Role.allCases.filter { roles[$0] == nil } }
    /// Keys that are not roles (typos); reported, not fatal.
    public var unknownKeys: [String] = []

    /// Parses the TOML subset used by `themes/*.toml`: `[theme]`, `[roles]` and `[mono]` tables of
    /// `key = "string"` lines, `#` comments, blank lines.
    public init(parsing text: String) throws(ThemeError) {
        name = ""
        variant = "dark"
        roles = [:]
        mono = [:]
        var section = ""
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            var line = raw.trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ThemeError("a table header must end with ]", line: lineNumber) }
                section = String(line.dropFirst().dropLast()).trimmingBlanks()
                guard ["theme", "roles", "mono"].contains(section) else {
                    throw ThemeError("unknown table [\(section)]; expected [theme], [roles] or [mono]", line: lineNumber)
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError("expected key = \"value\"", line: lineNumber)
            }
            let key = line[..<eq].trimmingBlanks()
            line = line[line.index(after: eq)...].trimmingBlanks()
            guard line.hasPrefix("\""), let close = line.dropFirst().firstIndex(of: "\"") else {
                throw ThemeError("the value of \(key) must be a \"quoted string\"", line: lineNumber)
            }
            let value = String(line[line.index(after: line.startIndex)..<close])
            let rest = line[line.index(after: close)...].trimmingBlanks()
            guard rest.isEmpty || rest.hasPrefix("#") else {
                throw ThemeError("unexpected text after the value of \(key)", line: lineNumber)
            }
            switch section {
            case "theme":
                if key == "name" { name = value } else if key == "variant" { variant = value } else { unknownKeys.append(key) }
            case "roles", "mono":
                guard let role = Role(rawValue: key) else { unknownKeys.append(key); continue }
                let style: ThemeStyle
                do { style = try ThemeStyle(parsing: value) } catch { throw ThemeError(error.message, line: lineNumber) }
                if section == "roles" {
                    roles[role] = style
                } else {
                    mono[role] = style.attributes
                }
            default:
                throw ThemeError("\(key) is outside any table; put it under [roles]", line: lineNumber)
            }
        }
    }

    /// Fills roles this theme lacks from `base`.
    public func filled(from base: Theme) -> Theme {
        var t = self
        for role in Role.allCases {
            if t.roles[role] == nil { t.roles[role] = base.roles[role] }
            if t.mono[role] == nil, let m = base.mono[role] { t.mono[role] = m }
        }
        return t
    }

    /// Attributes for `role` when colours are off: the `[mono]` entry, else the role's own
    /// attributes, plus sensible defaults so meaning never rests on colour alone.
    public func monoAttributes(_ role: Role) -> TextAttributes {
        if let m = mono[role] { return m }
        var a = roles[role]?.attributes ?? []
        switch role {
        case .selection, .button_focus, .tab_active, .header: a.insert(.reverse)
        case .title, .key_hint, .column_header, .danger, .error: a.insert(.bold)
        case .pending, .input_invalid: a.insert(.underline)
        case .muted, .offline: a.insert(.dim)
        default: break
        }
        return a
    }
}
