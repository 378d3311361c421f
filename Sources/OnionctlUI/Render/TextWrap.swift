/// Splits `text` into lines of at most `width` display columns, at spaces where possible (a word
/// longer than a line, such as a path, is cut). Used where a whole sentence must be readable: a
/// device's problem in its detail view, an unreadable address book.
public func wrapText(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
        var word = word
        while ScreenGrid.displayWidth(word) > width {
            if !line.isEmpty { lines.append(line); line = "" }
            var head = ""
            for character in word where ScreenGrid.displayWidth(head + String(character)) <= width { head.append(character) }
            if head.isEmpty { head = String(word.prefix(1)) }
            lines.append(head)
            word.removeFirst(head.count)
        }
        if word.isEmpty { continue }
        if line.isEmpty {
            line = word
        } else if ScreenGrid.displayWidth(line) + 1 + ScreenGrid.displayWidth(word) <= width {
            line += " " + word
        } else {
            lines.append(line)
            line = word
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}
