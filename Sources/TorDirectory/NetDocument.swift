/// Tokenizer for Tor's directory meta-format (dir-spec §1.2): keyword lines, each optionally
/// followed by one `-----BEGIN TAG----- … -----END TAG-----` object.
///
/// Every parser of directory documents (authority certificates, consensuses, microdescriptors,
/// onion-service descriptors) starts here. Items keep their byte offsets in the source so callers
/// can hash or verify exactly the signed range: tokenizing never rewrites ``text``.
///
/// What is accepted follows C tor's tokenizer (`get_next_token` in
/// src/feature/dirparse/parsecommon.c); docs/netdoc-tolerance.md lists each rule, and the few
/// places where onionctl deliberately differs. The rules live in ``NetDocumentTokenizer``.
public struct NetDocument: Sendable {
    /// C tor's `MAX_LINE_LENGTH`: a keyword or BEGIN line longer than this is refused.
    public static let maximumLineLength = 128 * 1024
    /// C tor's `MAX_UNPARSED_OBJECT_SIZE`: an object body (its base64 text) longer than this is
    /// refused.
    public static let maximumObjectSize = 128 * 1024
    /// C tor's `MAX_ARGS`: a line with more arguments than this is refused.
    public static let maximumArguments = 512

    /// One keyword line and its object.
    public struct Item: Sendable, Equatable {
        public var keyword: String
        public var arguments: [String]
        public var object: Object?
        /// Byte offset of the start of the keyword's line (any indentation included).
        public var startOffset: Int
        /// Byte offset just past this item's last newline (the keyword line's, or the object's
        /// END line's), or the end of the text.
        public var endOffset: Int
        /// 1-based line number of the keyword, for error messages.
        public var line: Int

        /// Argument `index`; throws ``NetDocumentError/missingArgument(keyword:index:line:)``.
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
        /// 1-based line number of the object's BEGIN line.
        public var line: Int

        /// An object with `tag` and `bytes`; `line` is its BEGIN line (0 when unknown).
        public init(tag: String, bytes: [UInt8], line: Int = 0) {
            self.tag = tag
            self.bytes = bytes
            self.line = line
        }
    }

    /// The source, byte for byte.
    public let text: [UInt8]
    /// The items in order. Blank lines and `#` comments are not items.
    public let items: [Item]

    /// Splits `text` into items. Throws ``NetDocumentError`` on a malformed object, an
    /// over-long line or a NUL byte; unknown keywords are kept.
    public init(_ text: [UInt8]) throws {
        self.text = text
        var tokenizer = try NetDocumentTokenizer(text)
        items = try tokenizer.tokenize()
    }

    /// Splits the UTF-8 bytes of `string` into items.
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
