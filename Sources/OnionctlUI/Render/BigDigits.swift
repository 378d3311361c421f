/// A 5-row block font for the thermostat's current temperature. Each `#` is drawn twice as wide
/// (terminal cells are about twice as tall as wide) with ``Glyphs/bigInk``.
enum BigDigits {
    static let height = 5

    private static let font: [Character: [String]] = [
        "0": ["###", "# #", "# #", "# #", "###"],
        "1": [" # ", "## ", " # ", " # ", "###"],
        "2": ["###", "  #", "###", "#  ", "###"],
        "3": ["###", "  #", " ##", "  #", "###"],
        "4": ["# #", "# #", "###", "  #", "  #"],
        "5": ["###", "#  ", "###", "  #", "###"],
        "6": ["###", "#  ", "###", "# #", "###"],
        "7": ["###", "  #", "  #", "  #", "  #"],
        "8": ["###", "# #", "###", "# #", "###"],
        "9": ["###", "# #", "###", "  #", "###"],
        ".": [" ", " ", " ", " ", "#"],
        "-": ["   ", "   ", "###", "   ", "   "],
        " ": [" ", " ", " ", " ", " "],
    ]

    /// Columns needed for `text`.
    static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + 2 * (font[$1]?.first?.count ?? 1) + 1 } - 1
    }

    /// Draws `text` with its top-left corner at (`x`, `y`).
    static func draw(_ text: String, into grid: inout ScreenGrid, x: Int, y: Int, ink: Character, role: Role) {
        var col = x
        for ch in text {
            let rows = font[ch] ?? font[" "]!
            for (r, row) in rows.enumerated() {
                for (c, bit) in row.enumerated() where bit == "#" {
                    grid.put(String(ink) + String(ink), x: col + 2 * c, y: y + r, role: role)
                }
            }
            col += 2 * (rows.first?.count ?? 1) + 1
        }
    }
}
