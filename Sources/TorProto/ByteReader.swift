/// A bounds-checked cursor over bytes received from a peer. Every read throws
/// ``ProtoError/truncated(what:needed:available:)`` instead of trapping.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    /// How many bytes are left to read.
    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    public mutating func readU8(_ what: String = "byte") throws -> UInt8 {
        try need(1, what)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readU16(_ what: String = "u16") throws -> UInt16 {
        try need(2, what)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func readU32(_ what: String = "u32") throws -> UInt32 {
        try need(4, what)
        var value: UInt32 = 0
        for index in offset..<(offset + 4) { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    public mutating func readU64(_ what: String = "u64") throws -> UInt64 {
        try need(8, what)
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
        offset += 8
        return value
    }

    public mutating func readBytes(_ count: Int, _ what: String = "bytes") throws -> [UInt8] {
        guard count >= 0 else { throw ProtoError.invalidValue(what: what, detail: "negative length") }
        try need(count, what)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Everything left, consuming it.
    public mutating func readRest() -> [UInt8] {
        defer { offset = end }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    public mutating func skip(_ count: Int, _ what: String = "bytes") throws {
        try need(count, what)
        offset += count
    }

    private func need(_ count: Int, _ what: String) throws {
        if end - offset < count {
            throw ProtoError.truncated(what: what, needed: count, available: max(0, end - offset))
        }
    }
}

/// Big-endian appenders for building cells.
extension Array where Element == UInt8 {
    @inlinable public mutating func appendU16(_ value: UInt16) {
        append(UInt8(value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable public mutating func appendU32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    @inlinable public mutating func appendU64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

extension UInt64 {
    /// The 8-byte big-endian encoding, as Tor's formulas write `INT_8(x)`.
    public var bigEndianBytes: [UInt8] { var out: [UInt8] = []; out.appendU64(self); return out }
}

/// Lower-case hex, for logs and fingerprints.
public func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](); out.reserveCapacity(bytes.count * 2)
    for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0f)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Parses hex (either case); `nil` for odd length or a non-hex character.
public func bytesFromHex(_ hex: String) -> [UInt8]? {
    let chars = Array(hex.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
    var out = [UInt8](); out.reserveCapacity(chars.count / 2)
    var index = 0
    while index < chars.count {
        guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
        out.append(high << 4 | low)
        index += 2
    }
    return out
}
