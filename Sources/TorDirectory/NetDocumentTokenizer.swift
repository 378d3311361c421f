/// The rules by which ``NetDocument`` splits text into items, after C tor's `get_next_token`
/// and `tokenize_string` (src/feature/dirparse/parsecommon.c). docs/netdoc-tolerance.md lists
/// each rule with C tor's behaviour.
///
/// - Between items, spaces, tabs, CRs, LFs and `#` comments (to the end of the line) are
///   skipped (C `eat_whitespace_eos`).
/// - A keyword line is split at spaces, tabs and CRs; a field starting with `#` begins a
///   comment that ends the line's arguments; a leading `opt` field is dropped. At most
///   ``NetDocument/maximumArguments`` arguments and ``NetDocument/maximumLineLength`` bytes.
/// - An object belongs to the keyword line before it; whitespace, blank lines and comments may
///   stand between them. Its BEGIN line is exactly `-----BEGIN TAG-----` (TAG not empty).
/// - The object ends at the first `-----END ` after its BEGIN line, wherever on a line it
///   stands: data may precede it on the same line (as Minitor writes). From there to the end of
///   the line must be exactly `-----END TAG-----` with the BEGIN line's TAG.
/// - The body between is base64 (``decodeObjectBase64(_:)``) of at most
///   ``NetDocument/maximumObjectSize`` bytes.
/// - No NUL byte anywhere. A line starting with `-----` that is not an object's BEGIN line is
///   an error (C tor would take it as an unknown keyword; no Tor document has one).
///
/// Deliberate difference from C tor: one CR before the LF that ends a BEGIN or END line is
/// tolerated (C tor refuses it), as onionctl always did; the signed bytes are hashed as they
/// are, so a CR still changes every digest.
struct NetDocumentTokenizer {
    private let text: [UInt8]
    private var position = 0
    private var lines: LineCounter

    /// A tokenizer over `text`; throws ``NetDocumentError/nulCharacter(line:)`` at once if the text
    /// holds a NUL byte anywhere (before any item is read, so a streaming caller sees it first).
    init(_ text: [UInt8]) throws {
        if let nul = text.firstIndex(of: 0) {
            var counter = LineCounter(text)
            throw NetDocumentError.nulCharacter(line: counter.line(at: nul))
        }
        self.text = text
        lines = LineCounter(text)
    }

    private static let newline = UInt8(ascii: "\n")
    private static let hash = UInt8(ascii: "#")
    private static let begin = Array("-----BEGIN ".utf8)
    private static let end = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)

    /// All items of the text, in order.
    mutating func tokenize() throws -> [NetDocument.Item] {
        var items = [NetDocument.Item]()
        while let item = try next() { items.append(item) }
        return items
    }

    /// The next item, or nil at the end of the text. Large documents (a consensus, a cache of
    /// microdescriptors) are read item by item so that only one entry's items are held at a
    /// time, not the whole document's (issue 12).
    mutating func next() throws -> NetDocument.Item? {
        position = skipWhitespaceAndComments(from: position)
        guard position < text.count else { return nil }
        return try nextItem()
    }

    /// The item whose keyword starts at `position`, with its object if one follows.
    private mutating func nextItem() throws -> NetDocument.Item {
        let keywordStart = position
        let line = lines.line(at: keywordStart)
        let lineEnd = endOfLine(from: keywordStart)
        guard lineEnd - keywordStart <= NetDocument.maximumLineLength else {
            throw NetDocumentError.lineTooLong(line: line, length: lineEnd - keywordStart)
        }
        if text[keywordStart..<lineEnd].starts(with: Self.dashes) {
            throw NetDocumentError.unexpectedObject(line: line)
        }
        var fields = Self.fields(text[keywordStart..<lineEnd])
        if fields.first == "opt" && fields.count > 1 { fields.removeFirst() }
        let keyword = fields.first ?? ""
        let arguments = Array(fields.dropFirst())
        guard arguments.count <= NetDocument.maximumArguments else {
            throw NetDocumentError.tooManyArguments(keyword: keyword, count: arguments.count, line: line)
        }
        var lineStart = keywordStart
        while lineStart > 0 && text[lineStart - 1] != Self.newline { lineStart -= 1 }
        var item = NetDocument.Item(keyword: keyword, arguments: arguments, object: nil, startOffset: lineStart,
                                    endOffset: min(lineEnd + 1, text.count), line: line)
        position = item.endOffset

        let objectStart = skipWhitespaceAndComments(from: lineEnd)
        if text[objectStart...].starts(with: Self.begin) {
            let (object, end) = try readObject(at: objectStart)
            item.object = object
            item.endOffset = end
            position = end
        }
        return item
    }

    /// Reads the object whose BEGIN line starts at `start`; returns it and the offset just past
    /// its END line.
    private mutating func readObject(at start: Int) throws -> (NetDocument.Object, Int) {
        let line = lines.line(at: start)
        let beginEnd = endOfLine(from: start)
        guard beginEnd - start <= NetDocument.maximumLineLength else {
            throw NetDocumentError.lineTooLong(line: line, length: beginEnd - start)
        }
        let beginLine = Self.droppingCR(text[start..<beginEnd])
        guard beginLine.count > Self.begin.count + Self.dashes.count, beginLine.hasSuffix(Self.dashes) else {
            throw NetDocumentError.malformedObject(tag: String(decoding: beginLine.dropFirst(Self.begin.count), as: UTF8.self),
                                                   line: line, detail: "bad BEGIN line")
        }
        let tagBytes = Array(beginLine.dropFirst(Self.begin.count).dropLast(Self.dashes.count))
        let tag = String(decoding: tagBytes, as: UTF8.self)
        let bodyStart = min(beginEnd + 1, text.count)
        guard let endMarker = Self.find(Self.end, in: text, from: bodyStart) else {
            throw NetDocumentError.malformedObject(tag: tag, line: line, detail: "no END line")
        }
        let endLineEnd = endOfLine(from: endMarker)
        guard Array(Self.droppingCR(text[endMarker..<endLineEnd])) == Self.end + tagBytes + Self.dashes else {
            let endLine = lines.line(at: endMarker)
            throw NetDocumentError.malformedObject(tag: tag, line: line, detail: "mismatched END line at line \(endLine)")
        }
        guard endMarker - bodyStart <= NetDocument.maximumObjectSize else {
            throw NetDocumentError.malformedObject(
                tag: tag, line: line, detail: "more than \(NetDocument.maximumObjectSize) bytes of data")
        }
        guard let bytes = decodeObjectBase64(text[bodyStart..<endMarker]) else {
            throw NetDocumentError.malformedObject(tag: tag, line: line, detail: "bad base64")
        }
        return (NetDocument.Object(tag: tag, bytes: bytes, line: line), min(endLineEnd + 1, text.count))
    }

    /// The offset of the first byte that is neither whitespace (space, tab, CR, LF) nor inside a
    /// `#` comment, at or after `start` (C `eat_whitespace_eos`).
    private func skipWhitespaceAndComments(from start: Int) -> Int {
        var index = start
        while index < text.count {
            switch text[index] {
            case 0x20, 0x09, 0x0D, 0x0A: index += 1
            case Self.hash: index = endOfLine(from: index)
            default: return index
            }
        }
        return index
    }

    /// The offset of the LF ending the line that contains `start`, or the end of the text.
    private func endOfLine(from start: Int) -> Int {
        var index = start
        while index < text.count && text[index] != Self.newline { index += 1 }
        return index
    }

    /// The keyword and arguments of a line: fields separated by spaces, tabs and CRs (C
    /// `find_whitespace`), up to the first field that starts with `#` (a comment).
    static func fields(_ line: ArraySlice<UInt8>) -> [String] {
        var fields = [String]()
        for field in line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            if field.first == hash { break }
            fields.append(String(decoding: field, as: UTF8.self))
        }
        return fields
    }

    private static func droppingCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0D ? line.dropLast() : line
    }

    /// The first offset at or after `start` where `needle` occurs (C `tor_memstr`).
    private static func find(_ needle: [UInt8], in text: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, text.count >= needle.count else { return nil }
        var index = start
        let last = text.count - needle.count
        while index <= last {
            if text[index] == first && text[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// 1-based line numbers of offsets; asked in increasing order, each question continues the
/// count from the last one (an earlier offset starts the count again).
private struct LineCounter {
    private let text: [UInt8]
    private var offset = 0
    private var current = 1

    init(_ text: [UInt8]) { self.text = text }

    mutating func line(at target: Int) -> Int {
        if target < offset { offset = 0; current = 1 }
        while offset < target {
            if text[offset] == 0x0A { current += 1 }
            offset += 1
        }
        return current
    }
}

extension ArraySlice where Element == UInt8 {
    fileprivate func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(endIndex - suffix.count)...].elementsEqual(suffix)
    }
}
