import TorProto

/// Upper-case hex, as Tor writes fingerprints and identities in documents and URLs.
public func upperHex(_ bytes: [UInt8]) -> String { hexString(bytes).uppercased() }

/// Base64 without `=` padding, as used in `m` lines and microdescriptor URLs.
public func base64NoPad(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out = [UInt8]()
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
        let b0 = UInt32(bytes[index])
        let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
        let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
        let v = b0 << 16 | b1 << 8 | b2
        out.append(alphabet[Int(v >> 18 & 63)])
        out.append(alphabet[Int(v >> 12 & 63)])
        if index + 1 < bytes.count { out.append(alphabet[Int(v >> 6 & 63)]) }
        if index + 2 < bytes.count { out.append(alphabet[Int(v & 63)]) }
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

extension NetDocument {
    /// Byte offset just past the newline that ends `item`'s keyword line (not its object).
    public func keywordLineEnd(of item: Item) -> Int {
        var end = item.startOffset
        while end < text.count && text[end] != 0x0A { end += 1 }
        return min(end + 1, text.count)
    }
}

extension NetDocument.Item {
    /// Argument `index` decoded from hex, which must be exactly `length` bytes.
    func hexArgument(_ index: Int, length: Int) throws -> [UInt8] {
        let value = try argument(index)
        guard let bytes = bytesFromHex(value), bytes.count == length else {
            throw NetDocumentError.badArgument(keyword: keyword, value: value, line: line)
        }
        return bytes
    }

    /// Argument `index` decoded from (possibly unpadded) base64, exactly `length` bytes.
    func base64Argument(_ index: Int, length: Int) throws -> [UInt8] {
        let value = try argument(index)
        guard let bytes = decodeBase64Lenient(value), bytes.count == length else {
            throw NetDocumentError.badArgument(keyword: keyword, value: value, line: line)
        }
        return bytes
    }

    /// Argument `index` as an integer in `range`.
    func intArgument<T: FixedWidthInteger>(_ index: Int, as: T.Type = T.self) throws -> T {
        let value = try argument(index)
        guard let number = T(value) else {
            throw NetDocumentError.badArgument(keyword: keyword, value: value, line: line)
        }
        return number
    }

    /// The object, which must be present and carry `tag` (one of `tags`).
    func requiredObject(tags: [String]) throws -> NetDocument.Object {
        guard let object, tags.contains(object.tag) else {
            throw NetDocumentError.malformedObject(tag: object?.tag ?? tags.first ?? "", line: line,
                                                   detail: object == nil ? "object missing" : "unexpected object type")
        }
        return object
    }
}

extension Collection where Element == NetDocument.Item {
    /// The only item with `keyword` in this range of items.
    func exactlyOne(_ keyword: String) throws -> NetDocument.Item {
        var found: NetDocument.Item?
        for item in self where item.keyword == keyword {
            if found != nil { throw NetDocumentError.repeatedKeyword(keyword, line: item.line) }
            found = item
        }
        guard let found else { throw NetDocumentError.missingKeyword(keyword) }
        return found
    }

    /// The item with `keyword` if present; throws if repeated.
    func atMostOne(_ keyword: String) throws -> NetDocument.Item? {
        var found: NetDocument.Item?
        for item in self where item.keyword == keyword {
            if found != nil { throw NetDocumentError.repeatedKeyword(keyword, line: item.line) }
            found = item
        }
        return found
    }
}
