/// A relay message in the classic V0 relay-cell layout (tor-spec §6.1):
/// `Cmd[1] Recognized[2] StreamID[2] Digest[4] Length[2] Data[Length] Padding`.
public struct RelayMessage: Equatable, Sendable {
    /// Bytes of header before the data.
    public static let headerLength = 11
    /// The most data one relay cell carries.
    public static let maxDataLength = Cell.payloadLength - headerLength
    /// Offset of the 4-byte digest field inside the relay payload.
    public static let digestOffset = 5

    public var command: RelayCommand
    public var streamID: UInt16
    public var data: [UInt8]

    public init(command: RelayCommand, streamID: UInt16 = 0, data: [UInt8] = []) {
        self.command = command
        self.streamID = streamID
        self.data = data
    }

    /// The 509-byte relay payload with Recognized and Digest zero, padded as C tor pads
    /// (four zero bytes, then random bytes) so the cell is not compressible.
    public func encodedPayload(padding random: (Int) -> [UInt8]) throws -> [UInt8] {
        guard data.count <= RelayMessage.maxDataLength else {
            throw ProtoError.lengthOutOfRange(what: "\(command) data", length: data.count, limit: RelayMessage.maxDataLength)
        }
        var out = [UInt8]()
        out.reserveCapacity(Cell.payloadLength)
        out.append(command.rawValue)
        out.appendU16(0)
        out.appendU16(streamID)
        out.appendU32(0)
        out.appendU16(UInt16(data.count))
        out.append(contentsOf: data)
        let padLength = Cell.payloadLength - out.count
        if padLength > 0 {
            let zeros = min(4, padLength)
            out.append(contentsOf: repeatElement(0, count: zeros))
            if padLength > zeros { out.append(contentsOf: random(padLength - zeros)) }
        }
        return out
    }

    /// Decodes a decrypted, recognized relay payload. The caller has already checked the digest.
    public init(payload: [UInt8]) throws {
        guard payload.count == Cell.payloadLength else {
            throw ProtoError.invalidValue(what: "relay payload", detail: "length \(payload.count), expected 509")
        }
        var reader = ByteReader(payload)
        command = RelayCommand(rawValue: try reader.readU8())
        let recognized = try reader.readU16()
        guard recognized == 0 else {
            throw ProtoError.invalidValue(what: "relay cell", detail: "recognized field is \(recognized), not 0")
        }
        streamID = try reader.readU16()
        try reader.skip(4)
        let length = Int(try reader.readU16())
        guard length <= RelayMessage.maxDataLength else {
            throw ProtoError.lengthOutOfRange(what: "\(command) data", length: length, limit: RelayMessage.maxDataLength)
        }
        data = try reader.readBytes(length, "relay data")
        if command.isStreamCommand && streamID == 0 {
            throw ProtoError.invalidValue(what: "\(command) message", detail: "stream command on stream 0")
        }
    }
}

/// Why a stream ended (tor-spec §6.3).
public struct EndReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let misc = EndReason(rawValue: 1)
    public static let resolveFailed = EndReason(rawValue: 2)
    public static let connectRefused = EndReason(rawValue: 3)
    public static let exitPolicy = EndReason(rawValue: 4)
    public static let destroy = EndReason(rawValue: 5)
    public static let done = EndReason(rawValue: 6)
    public static let timeout = EndReason(rawValue: 7)
    public static let noRoute = EndReason(rawValue: 8)
    public static let hibernating = EndReason(rawValue: 9)
    public static let `internal` = EndReason(rawValue: 10)
    public static let resourceLimit = EndReason(rawValue: 11)
    public static let connReset = EndReason(rawValue: 12)
    public static let torProtocol = EndReason(rawValue: 13)
    public static let notDirectory = EndReason(rawValue: 14)

    /// Decodes an END body; an empty body means MISC.
    public init(endBody: [UInt8]) { self.init(rawValue: endBody.first ?? 1) }

    public var description: String {
        let names = ["", "MISC", "RESOLVEFAILED", "CONNECTREFUSED", "EXITPOLICY", "DESTROY", "DONE", "TIMEOUT",
                     "NOROUTE", "HIBERNATING", "INTERNAL", "RESOURCELIMIT", "CONNRESET", "TORPROTOCOL",
                     "NOTDIRECTORY"]
        return rawValue > 0 && Int(rawValue) < names.count ? names[Int(rawValue)] : "reason \(rawValue)"
    }
}

/// The body of a RELAY_BEGIN: `ADDRPORT NUL [FLAGS]`. Onion services take an empty address, `":80"`.
public struct BeginMessage: Equatable, Sendable {
    public var address: String
    public var port: UInt16
    public var flags: UInt32

    public init(address: String, port: UInt16, flags: UInt32 = 0) {
        self.address = address
        self.port = port
        self.flags = flags
    }

    public func encoded() -> [UInt8] {
        var out = Array("\(address):\(port)".utf8)
        out.append(0)
        if flags != 0 { out.appendU32(flags) }
        return out
    }
}

/// An authenticated (v1) or legacy (v0) SENDME body (proposal 289).
public enum SendmeMessage: Equatable, Sendable {
    /// Version 0: an empty body (used for stream-level SENDMEs).
    case v0
    /// Version 1: carries the 20-byte digest of the cell that triggered it.
    case v1(digest: [UInt8])

    public func encoded() -> [UInt8] {
        switch self {
        case .v0: return []
        case let .v1(digest):
            var out: [UInt8] = [1]
            out.appendU16(UInt16(digest.count))
            out.append(contentsOf: digest)
            return out
        }
    }

    public init(body: [UInt8]) throws {
        if body.isEmpty { self = .v0; return }
        var reader = ByteReader(body)
        let version = try reader.readU8("SENDME version")
        switch version {
        case 0: self = .v0
        case 1:
            let length = Int(try reader.readU16("SENDME digest length"))
            guard length == 20 || length == 16 else {
                throw ProtoError.invalidValue(what: "SENDME", detail: "digest length \(length)")
            }
            self = .v1(digest: try reader.readBytes(length, "SENDME digest"))
        default:
            throw ProtoError.invalidValue(what: "SENDME", detail: "unknown version \(version)")
        }
    }
}
