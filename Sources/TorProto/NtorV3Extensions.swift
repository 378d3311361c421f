/// One extension in an ntor v3 handshake message (tor-spec "ntor-v3 extensions", proposal 332
/// and 324 §"Negotiating congestion control"): `type[1] length[1] body`.
public struct NtorV3Extension: Equatable, Sendable {
    /// Client → relay: "I want congestion control on this hop" (empty body).
    public static let congestionControlRequest: UInt8 = 1
    /// Relay → client: "agreed, send a SENDME every `sendme_inc` cells" (`sendme_inc[1]`).
    public static let congestionControlResponse: UInt8 = 2
    /// Client → relay: subprotocol request (e.g. CGO relay crypto); onionctl never sends it.
    public static let subprotocolRequest: UInt8 = 3

    public var type: UInt8
    public var body: [UInt8]

    public init(type: UInt8, body: [UInt8] = []) {
        self.type = type
        self.body = body
    }
}

/// The extension list carried in the ntor v3 client and server messages: `N[1]` then N extensions.
public struct NtorV3Extensions: Equatable, Sendable {
    public var extensions: [NtorV3Extension]

    public init(_ extensions: [NtorV3Extension] = []) {
        self.extensions = extensions
    }

    /// The client message asking for congestion control, or the empty list.
    public static func clientRequest(congestionControl: Bool) -> NtorV3Extensions {
        NtorV3Extensions(congestionControl ? [NtorV3Extension(type: NtorV3Extension.congestionControlRequest)] : [])
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = [UInt8(extensions.count)]
        for item in extensions {
            out.append(item.type)
            out.append(UInt8(item.body.count))
            out.append(contentsOf: item.body)
        }
        return out
    }

    /// Parses a server message. An empty message is an empty list (C tor accepts both).
    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        guard !reader.isAtEnd else { extensions = []; return }
        let count = Int(try reader.readU8("ntor v3 extension count"))
        var list: [NtorV3Extension] = []
        for _ in 0..<count {
            let type = try reader.readU8("ntor v3 extension type")
            let length = Int(try reader.readU8("ntor v3 extension length"))
            list.append(NtorV3Extension(type: type, body: try reader.readBytes(length, "ntor v3 extension body")))
        }
        extensions = list
    }

    /// The relay's congestion-control answer: its `sendme_inc`, or nil when it sent none.
    /// - Throws: when the answer is malformed (not exactly one byte, or zero).
    public func congestionControlSendmeIncrement() throws -> UInt8? {
        guard let response = extensions.first(where: { $0.type == NtorV3Extension.congestionControlResponse }) else {
            return nil
        }
        guard response.body.count == 1, response.body[0] > 0 else {
            throw ProtoError.invalidValue(what: "congestion-control response", detail: "body \(response.body) is not one non-zero byte")
        }
        return response.body[0]
    }
}
