/// The link-handshake cells a client reads or writes (tor-spec §4).

/// VERSIONS: the link protocol versions a side supports.
public struct VersionsCell: Equatable, Sendable {
    public var versions: [UInt16]
    public init(versions: [UInt16]) { self.versions = versions }

    public func cell() -> Cell {
        var payload = [UInt8]()
        for version in versions { payload.appendU16(version) }
        return Cell(circuitID: 0, command: .versions, payload: payload)
    }

    public init(payload: [UInt8]) throws {
        guard payload.count % 2 == 0 else {
            throw ProtoError.invalidValue(what: "VERSIONS cell", detail: "odd payload length \(payload.count)")
        }
        var reader = ByteReader(payload)
        var versions = [UInt16]()
        while !reader.isAtEnd { versions.append(try reader.readU16("version")) }
        self.versions = versions
    }

    /// The highest version both sides support, if any.
    public func highestCommon(with ours: [UInt16]) -> UInt16? {
        Set(versions).intersection(ours).max()
    }
}

/// An address as NETINFO carries it.
public enum NetinfoAddress: Equatable, Sendable {
    case ipv4([UInt8])
    case ipv6([UInt8])
    case other(type: UInt8, value: [UInt8])

    func encode(into out: inout [UInt8]) {
        switch self {
        case let .ipv4(bytes): out.append(4); out.append(4); out.append(contentsOf: bytes)
        case let .ipv6(bytes): out.append(6); out.append(16); out.append(contentsOf: bytes)
        case let .other(type, value): out.append(type); out.append(UInt8(value.count)); out.append(contentsOf: value)
        }
    }

    static func decode(from reader: inout ByteReader) throws -> NetinfoAddress {
        let type = try reader.readU8("address type")
        let length = Int(try reader.readU8("address length"))
        let value = try reader.readBytes(length, "address")
        switch (type, length) {
        case (4, 4): return .ipv4(value)
        case (6, 16): return .ipv6(value)
        default: return .other(type: type, value: value)
        }
    }
}

/// NETINFO: the sender's clock and the addresses each side sees.
public struct NetinfoCell: Equatable, Sendable {
    /// Seconds since the epoch on the sender's clock (clients send 0).
    public var timestamp: UInt32
    public var otherAddress: NetinfoAddress
    public var myAddresses: [NetinfoAddress]

    public init(timestamp: UInt32, otherAddress: NetinfoAddress, myAddresses: [NetinfoAddress]) {
        self.timestamp = timestamp
        self.otherAddress = otherAddress
        self.myAddresses = myAddresses
    }

    public func cell() -> Cell {
        var payload = [UInt8]()
        payload.appendU32(timestamp)
        otherAddress.encode(into: &payload)
        payload.append(UInt8(myAddresses.count))
        for address in myAddresses { address.encode(into: &payload) }
        return Cell(circuitID: 0, command: .netinfo, payload: payload)
    }

    public init(payload: [UInt8]) throws {
        var reader = ByteReader(payload)
        timestamp = try reader.readU32("NETINFO time")
        otherAddress = try NetinfoAddress.decode(from: &reader)
        let count = Int(try reader.readU8("NETINFO address count"))
        var addresses = [NetinfoAddress]()
        for _ in 0..<count { addresses.append(try NetinfoAddress.decode(from: &reader)) }
        myAddresses = addresses
    }
}

/// CERTS: the certificates a relay presents during the link handshake.
public struct CertsCell: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var type: UInt8
        public var body: [UInt8]
    }

    public var entries: [Entry]

    public init(payload: [UInt8]) throws {
        var reader = ByteReader(payload)
        let count = Int(try reader.readU8("CERTS count"))
        var entries = [Entry]()
        var seen = Set<UInt8>()
        for _ in 0..<count {
            let type = try reader.readU8("cert type")
            let length = Int(try reader.readU16("cert length"))
            let body = try reader.readBytes(length, "certificate of type \(type)")
            guard seen.insert(type).inserted else {
                throw ProtoError.invalidValue(what: "CERTS cell", detail: "two certificates of type \(type)")
            }
            entries.append(Entry(type: type, body: body))
        }
        self.entries = entries
    }

    public func certificate(ofType type: UInt8) -> [UInt8]? {
        entries.first { $0.type == type }?.body
    }
}

/// Reasons carried by DESTROY and TRUNCATED (tor-spec §5.4).
public struct DestroyReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = DestroyReason(rawValue: 0)
    public static let protocolViolation = DestroyReason(rawValue: 1)
    public static let `internal` = DestroyReason(rawValue: 2)
    public static let requested = DestroyReason(rawValue: 3)
    public static let hibernating = DestroyReason(rawValue: 4)
    public static let resourceLimit = DestroyReason(rawValue: 5)
    public static let connectFailed = DestroyReason(rawValue: 6)
    public static let orIdentity = DestroyReason(rawValue: 7)
    public static let channelClosed = DestroyReason(rawValue: 8)
    public static let finished = DestroyReason(rawValue: 9)
    public static let timeout = DestroyReason(rawValue: 10)
    public static let destroyed = DestroyReason(rawValue: 11)
    public static let noSuchService = DestroyReason(rawValue: 12)

    public var description: String {
        let names = ["NONE", "PROTOCOL", "INTERNAL", "REQUESTED", "HIBERNATING", "RESOURCELIMIT",
                     "CONNECTFAILED", "OR_IDENTITY", "CHANNEL_CLOSED", "FINISHED", "TIMEOUT", "DESTROYED",
                     "NOSUCHSERVICE"]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "reason \(rawValue)"
    }
}
