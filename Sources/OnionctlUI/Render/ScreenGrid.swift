import Devices

/// One character cell: what to draw and what it means.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var role: Role
    /// The right half of a double-width character drawn in the cell before (skipped when blitting).
    public var isContinuation: Bool

    public init(_ character: Character, _ role: Role, continuation: Bool = false) {
        self.character = character
        self.role = role
        self.isContinuation = continuation
    }
}

/// An off-screen character grid: the renderer draws into it, the terminal layer copies it out and
/// the snapshot tests compare it as text.
public struct ScreenGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, role: Role = .text) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(" ", role), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` at (`x`, `y`), clipped to `maxWidth` columns and the grid; returns the columns used.
    /// Control characters (C0, DEL, C1: escape sequences from a device or relay) are shown as
    /// `\xHH` (``TerminalSafeText``), so no text reaches the terminal raw; double-width characters
    /// take two cells.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for ch in TerminalSafeText.escape(text) {
            let w = Self.displayWidth(ch)
            if col + w > limit { break }
            if col >= 0 {
                self[col, y] = Cell(ch, role)
                if w == 2 { self[col + 1, y] = Cell(" ", role, continuation: true) }
            }
            col += w
        }
        return col - x
    }

    /// Fills a rectangle with `character` in `role`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, character: Character = " ", role: Role) {
        for row in max(0, y)..<min(height, y + h) where w > 0 {
            for col in max(0, x)..<min(width, x + w) { self[col, row] = Cell(character, role) }
        }
    }

    /// Changes the role of a range of cells, keeping their characters (e.g. to highlight a row).
    public mutating func paint(x: Int, y: Int, width w: Int, role: Role) {
        guard y >= 0, y < height, w > 0 else { return }
        for col in max(0, x)..<min(width, x + w) { cells[y * width + col].role = role }
    }

    /// Draws a box border with an optional title in the top edge.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, glyphs: Glyphs, role: Role,
                             title: String? = nil, titleRole: Role? = nil) {
        guard w >= 2, h >= 2 else { return }
        put(String(glyphs.topLeft), x: x, y: y, role: role)
        put(String(glyphs.topRight), x: x + w - 1, y: y, role: role)
        put(String(glyphs.bottomLeft), x: x, y: y + h - 1, role: role)
        put(String(glyphs.bottomRight), x: x + w - 1, y: y + h - 1, role: role)
        for col in x + 1..<x + w - 1 {
            put(String(glyphs.horizontal), x: col, y: y, role: role)
            put(String(glyphs.horizontal), x: col, y: y + h - 1, role: role)
        }
        for row in y + 1..<y + h - 1 {
            put(String(glyphs.vertical), x: x, y: row, role: role)
            put(String(glyphs.vertical), x: x + w - 1, y: row, role: role)
        }
        if let title, w > 6 {
            put(" \(title) ", x: x + 2, y: y, role: titleRole ?? role, maxWidth: w - 4)
        }
    }

    /// Replaces every non-ASCII character (from messages, names, quotes) by an ASCII look-alike or
    /// `?`, for terminals and locales that cannot show them. Double-width characters become `??`.
    public mutating func asciify() {
        let map: [Character: Character] = ["“": "\"", "”": "\"", "‘": "'", "’": "'", "…": "~", "—": "-", "–": "-",
                                           "×": "x", "°": " ", "→": ">", "›": ">", "·": "|"]
        for i in cells.indices {
            let ch = cells[i].character
            if ch.isASCII { continue }
            if cells[i].isContinuation {
                cells[i] = Cell("?", cells[i].role)
            } else {
                cells[i].character = map[ch] ?? "?"
            }
        }
    }

    /// The grid as text, one line per row, trailing spaces removed.
    public var text: String {
        var lines: [String] = []
        for row in 0..<height {
            var line = ""
            for col in 0..<width where !self[col, row].isContinuation { line.append(self[col, row].character) }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One ``Role/code`` letter per cell (spaces in the text role shown as `.`), for role snapshots.
    public var roleMap: String {
        var lines: [String] = []
        for row in 0..<height {
            var line = ""
            for col in 0..<width {
                let cell = self[col, row]
                line.append(cell.role == .text && cell.character == " " ? "." : cell.role.code)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Terminal columns taken by `ch`: 2 for East Asian wide and emoji ranges, else 1.
    public static func displayWidth(_ ch: Character) -> Int {
        guard let v = ch.unicodeScalars.first?.value else { return 1 }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// Columns taken by `text`.
    public static func displayWidth(_ text: String) -> Int { text.reduce(0) { $0 + displayWidth($1) } }
}

/// The characters used for lines, marks and charts: Unicode, or plain ASCII for terminals and
/// locales that cannot show it (`vt100`, `LANG=C`, …).
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var selected: String
    public var connected: String
    public var connecting: String
    public var failed: String
    public var idle: String
    public var done: String
    public var arrow: String
    public var chevron: String
    public var separator: String
    public var degrees: String
    public var ellipsis: String
    public var heating: String
    public var cooling: String
    public var dash: String
    /// 9 levels, empty to full, for bar charts.
    public var blocks: [Character]
    /// The "ink" of big digits.
    public var bigInk: Character
    public var isASCII: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        selected: "▶", connected: "●", connecting: "◐", failed: "✗", idle: "○", done: "✓", arrow: "→",
        chevron: "›", separator: "·", degrees: "°C", ellipsis: "…", heating: "▲", cooling: "▼", dash: "—",
        blocks: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], bigInk: "█", isASCII: false)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        selected: ">", connected: "*", connecting: "~", failed: "x", idle: "o", done: "+", arrow: "->",
        chevron: ">", separator: "|", degrees: "C", ellipsis: "~", heating: "^", cooling: "v", dash: "-",
        blocks: [" ", "_", "_", ".", ".", ":", ":", "#", "#"], bigInk: "#", isASCII: true)

    /// Unicode when the locale's codeset is UTF-8 and the terminal is not a known ASCII-only one.
    public static func choose(codeset: String, term: String?, forceASCII: Bool = false) -> Glyphs {
        if forceASCII { return .ascii }
        let utf8 = codeset.uppercased().replacing("-", with: "") == "UTF8"
        let asciiTerms: Set<String> = ["vt100", "vt102", "vt220", "vt52", "dumb", "ansi"]
        if !utf8 || asciiTerms.contains(term ?? "") { return .ascii }
        return .unicode
    }
}
