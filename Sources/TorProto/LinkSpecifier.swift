/// How to reach a relay, as EXTEND2 and onion-service descriptors describe it (tor-spec §5.1.2).
public enum LinkSpecifier: Equatable, Hashable, Sendable {
    case ipv4(address: [UInt8], port: UInt16)
    case ipv6(address: [UInt8], port: UInt16)
    case legacyID([UInt8])
    case ed25519ID([UInt8])
    case unrecognized(type: UInt8, body: [UInt8])

    public var typeCode: UInt8 {
        switch self {
        case .ipv4: return 0
        case .ipv6: return 1
        case .legacyID: return 2
        case .ed25519ID: return 3
        case let .unrecognized(type, _): return type
        }
    }

    public func encode(into out: inout [UInt8]) {
        switch self {
        case let .ipv4(address, port):
            out.append(0); out.append(6); out.append(contentsOf: address); out.appendU16(port)
        case let .ipv6(address, port):
            out.append(1); out.append(18); out.append(contentsOf: address); out.appendU16(port)
        case let .legacyID(id):
            out.append(2); out.append(20); out.append(contentsOf: id)
        case let .ed25519ID(id):
            out.append(3); out.append(32); out.append(contentsOf: id)
        case let .unrecognized(type, body):
            out.append(type); out.append(UInt8(body.count)); out.append(contentsOf: body)
        }
    }

    public static func decode(from reader: inout ByteReader) throws -> LinkSpecifier {
        let type = try reader.readU8("link specifier type")
        let length = Int(try reader.readU8("link specifier length"))
        var body = ByteReader(try reader.readBytes(length, "link specifier"))
        func expect(_ size: Int, _ name: String) throws {
            guard length == size else {
                throw ProtoError.invalidValue(what: name, detail: "length \(length), expected \(size)")
            }
        }
        switch type {
        case 0:
            try expect(6, "IPv4 link specifier")
            return .ipv4(address: try body.readBytes(4), port: try body.readU16())
        case 1:
            try expect(18, "IPv6 link specifier")
            return .ipv6(address: try body.readBytes(16), port: try body.readU16())
        case 2:
            try expect(20, "legacy identity link specifier")
            return .legacyID(try body.readBytes(20))
        case 3:
            try expect(32, "Ed25519 identity link specifier")
            return .ed25519ID(try body.readBytes(32))
        default:
            return .unrecognized(type: type, body: body.readRest())
        }
    }

    /// Decodes `NSPEC[1]` followed by that many specifiers.
    public static func decodeList(from reader: inout ByteReader) throws -> [LinkSpecifier] {
        let count = Int(try reader.readU8("link specifier count"))
        var specifiers = [LinkSpecifier]()
        for _ in 0..<count { specifiers.append(try decode(from: &reader)) }
        return specifiers
    }

    public static func encodeList(_ specifiers: [LinkSpecifier], into out: inout [UInt8]) {
        out.append(UInt8(specifiers.count))
        for specifier in specifiers { specifier.encode(into: &out) }
    }
}

/// EXTEND2 body: where to extend and the handshake to send there.
public struct Extend2Message: Equatable, Sendable {
    public var linkSpecifiers: [LinkSpecifier]
    public var handshakeType: UInt16
    public var handshakeData: [UInt8]

    public init(linkSpecifiers: [LinkSpecifier], handshakeType: UInt16, handshakeData: [UInt8]) {
        self.linkSpecifiers = linkSpecifiers
        self.handshakeType = handshakeType
        self.handshakeData = handshakeData
    }

    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        LinkSpecifier.encodeList(linkSpecifiers, into: &out)
        out.appendU16(handshakeType)
        out.appendU16(UInt16(handshakeData.count))
        out.append(contentsOf: handshakeData)
        return out
    }

    public init(body: [UInt8]) throws {
        var reader = ByteReader(body)
        linkSpecifiers = try LinkSpecifier.decodeList(from: &reader)
        handshakeType = try reader.readU16("handshake type")
        let length = Int(try reader.readU16("handshake length"))
        handshakeData = try reader.readBytes(length, "handshake data")
    }
}

/// CREATE2 / CREATED2 / EXTENDED2 handshake containers.
public enum HandshakeType {
    /// CREATE_FAST has its own cell, never CREATE2; 1 is C tor's number for it
    /// (`ONION_HANDSHAKE_TYPE_FAST`), used to record how a hop was made.
    public static let createFast: UInt16 = 1
    public static let ntor: UInt16 = 2
    public static let ntorV3: UInt16 = 3
}

public struct Create2Body: Equatable, Sendable {
    public var handshakeType: UInt16
    public var handshakeData: [UInt8]

    public init(handshakeType: UInt16, handshakeData: [UInt8]) {
        self.handshakeType = handshakeType
        self.handshakeData = handshakeData
    }

    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.appendU16(handshakeType)
        out.appendU16(UInt16(handshakeData.count))
        out.append(contentsOf: handshakeData)
        return out
    }
}

/// CREATED2 and EXTENDED2 carry `HLEN[2] HDATA[HLEN]`.
public func decodeCreated2Body(_ body: [UInt8], what: String = "CREATED2") throws -> [UInt8] {
    var reader = ByteReader(body)
    let length = Int(try reader.readU16("\(what) length"))
    return try reader.readBytes(length, "\(what) handshake data")
}
