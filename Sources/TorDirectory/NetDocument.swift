/// Tokenizer for Tor's directory meta-format (dir-spec §1.2): keyword lines, each optionally
/// followed by one `-----BEGIN TAG----- … -----END TAG-----` object.
///
/// Every parser of directory documents (authority certificates, consensuses, microdescriptors,
/// onion-service descriptors) starts here. Items keep their byte offsets in the source so callers
/// can hash or verify exactly the signed range.
public struct NetDocument: Sendable {
    /// One keyword line and its object.
    public struct Item: Sendable, Equatable {
        public var keyword: String
        public var arguments: [String]
        public var object: Object?
        /// Byte offset of the keyword's first character in the source text.
        public var startOffset: Int
        /// Byte offset just past this item's last newline (or the end of the text).
        public var endOffset: Int
        /// 1-based line number of the keyword, for error messages.
        public var line: Int

        public func argument(_ index: Int) throws -> String {
            guard index < arguments.count else {
                throw NetDocumentError.missingArgument(keyword: keyword, index: index, line: line)
            }
            return arguments[index]
        }
    }

    /// The decoded body of a `-----BEGIN TAG-----` block.
    public struct Object: Sendable, Equatable {
        public var tag: String
        public var bytes: [UInt8]
    }

    public let text: [UInt8]
    public let items: [Item]

    /// Splits `text` into items. Throws on a malformed object; unknown keywords are kept.
    public init(_ text: [UInt8]) throws {
        self.text = text
        var items = [Item]()
        var position = 0
        var lineNumber = 0
        let count = text.count
        func nextLine(from start: Int) -> (line: ArraySlice<UInt8>, next: Int) {
            var end = start
            while end < count && text[end] != 0x0A { end += 1 }
            return (text[start..<end], min(end + 1, count))
        }
        while position < count {
            let (rawLine, next) = nextLine(from: position)
            lineNumber += 1
            let lineStart = position
            position = next
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let string = String(decoding: line, as: UTF8.self)
            if string.hasPrefix("-----") {
                throw NetDocumentError.unexpectedObject(line: lineNumber)
            }
            let fields = string.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var keyword = fields[0]
            if keyword == "opt" && fields.count > 1 { keyword = fields[1] }
            let arguments = Array(fields.dropFirst(fields[0] == "opt" && fields.count > 1 ? 2 : 1))
            var item = Item(keyword: keyword, arguments: arguments, object: nil, startOffset: lineStart,
                            endOffset: position, line: lineNumber)
            // An object may follow on the next line.
            if position < count {
                let (peek, _) = nextLine(from: position)
                let peekString = String(decoding: peek, as: UTF8.self).trimmingTrailingCR()
                if peekString.hasPrefix("-----BEGIN ") && peekString.hasSuffix("-----") {
                    let tag = String(peekString.dropFirst(11).dropLast(5))
                    let objectStartLine = lineNumber + 1
                    var base64 = ""
                    var cursor = nextLine(from: position).next
                    lineNumber += 1
                    var closed = false
                    while cursor < count {
                        let (bodyLine, after) = nextLine(from: cursor)
                        lineNumber += 1
                        cursor = after
                        let body = String(decoding: bodyLine, as: UTF8.self).trimmingTrailingCR()
                        if body == "-----END \(tag)-----" { closed = true; break }
                        if body.hasPrefix("-----") {
                            throw NetDocumentError.malformedObject(tag: tag, line: lineNumber, detail: "mismatched END line")
                        }
                        base64 += body
                    }
                    guard closed else {
                        throw NetDocumentError.malformedObject(tag: tag, line: objectStartLine, detail: "no END line")
                    }
                    guard let bytes = decodeBase64Lenient(base64) else {
                        throw NetDocumentError.malformedObject(tag: tag, line: objectStartLine, detail: "bad base64")
                    }
                    item.object = Object(tag: tag, bytes: bytes)
                    position = cursor
                    item.endOffset = cursor
                }
            }
            items.append(item)
        }
        self.items = items
    }

    public init(string: String) throws { try self.init(Array(string.utf8)) }

    /// The first item with `keyword`.
    public func first(_ keyword: String) -> Item? { items.first { $0.keyword == keyword } }

    /// The only item with `keyword`; throws if absent or repeated.
    public func required(_ keyword: String) throws -> Item {
        let matches = items.filter { $0.keyword == keyword }
        guard let item = matches.first else { throw NetDocumentError.missingKeyword(keyword) }
        guard matches.count == 1 else { throw NetDocumentError.repeatedKeyword(keyword, line: matches[1].line) }
        return item
    }

    /// All items with `keyword`, in order.
    public func all(_ keyword: String) -> [Item] { items.filter { $0.keyword == keyword } }
}

/// What was wrong with a directory document, with the line where it happened.
public enum NetDocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingKeyword(String)
    case repeatedKeyword(String, line: Int)
    case missingArgument(keyword: String, index: Int, line: Int)
    case badArgument(keyword: String, value: String, line: Int)
    case malformedObject(tag: String, line: Int, detail: String)
    case unexpectedObject(line: Int)
    case wrongDocument(String)

    public var description: String {
        switch self {
        case let .missingKeyword(keyword): return "required line '\(keyword)' is missing"
        case let .repeatedKeyword(keyword, line): return "line \(line): '\(keyword)' may appear only once"
        case let .missingArgument(keyword, index, line): return "line \(line): '\(keyword)' lacks argument \(index + 1)"
        case let .badArgument(keyword, value, line): return "line \(line): '\(keyword)' has a bad value '\(value)'"
        case let .malformedObject(tag, line, detail): return "line \(line): object \(tag) is malformed (\(detail))"
        case let .unexpectedObject(line): return "line \(line): object without a keyword line before it"
        case let .wrongDocument(detail): return "not the expected document: \(detail)"
        }
    }
}

extension String {
    fileprivate func trimmingTrailingCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}

/// Base64 as Tor writes it: padding optional, whitespace ignored. `nil` on a bad character.
public func decodeBase64Lenient(_ text: String) -> [UInt8]? {
    var values = [UInt8]()
    values.reserveCapacity(text.utf8.count)
    for c in text.utf8 {
        switch c {
        case 65...90: values.append(c - 65)
        case 97...122: values.append(c - 71)
        case 48...57: values.append(c + 4)
        case 43: values.append(62)
        case 47: values.append(63)
        case 61, 32, 10, 13, 9: continue
        default: return nil
        }
    }
    if values.count % 4 == 1 { return nil }
    var out = [UInt8]()
    out.reserveCapacity(values.count * 3 / 4)
    var index = 0
    while index + 4 <= values.count {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
        out.append(UInt8(v >> 16)); out.append(UInt8(v >> 8 & 0xff)); out.append(UInt8(v & 0xff))
        index += 4
    }
    let rest = values.count - index
    if rest == 2 {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
        out.append(UInt8(v >> 16))
    } else if rest == 3 {
        let v = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6
        out.append(UInt8(v >> 16)); out.append(UInt8(v >> 8 & 0xff))
    }
    return out
}
