// Relay-message decoders: RelayMessage(payload:) (on the input cut or zero-padded to 509 bytes,
// and as given), SendmeMessage, LinkSpecifier lists, Extend2Message and decodeCreated2Body.
// Whatever decodes must re-encode to the bytes it came from.
import FuzzSupport
import TorProto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelay(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)

    _ = try? RelayMessage(payload: bytes)
    var payload = Array(bytes.prefix(Cell.payloadLength))
    payload += [UInt8](repeating: 0, count: Cell.payloadLength - payload.count)
    if let message = try? RelayMessage(payload: payload) {
        // Re-encoding gives the same header and data, with the digest field zeroed.
        let used = RelayMessage.headerLength + message.data.count
        var expected = Array(payload.prefix(used))
        expected.replaceSubrange(RelayMessage.digestOffset..<(RelayMessage.digestOffset + 4), with: [0, 0, 0, 0])
        let again = try? message.encodedPayload { [UInt8](repeating: 0, count: $0) }
        fuzzCheck(again.map { Array($0.prefix(used)) } == expected, "relay message round trip")
        _ = try? SendmeMessage(body: message.data)
        _ = EndReason(endBody: message.data).description
    }

    if let sendme = try? SendmeMessage(body: bytes), case .v1 = sendme {
        fuzzCheck(Array(bytes.prefix(sendme.encoded().count)) == sendme.encoded(), "SENDME round trip")
    }

    var reader = ByteReader(bytes)
    if let specifiers = try? LinkSpecifier.decodeList(from: &reader) {
        var out: [UInt8] = []
        LinkSpecifier.encodeList(specifiers, into: &out)
        fuzzCheck(out == Array(bytes[0..<reader.offset]), "link specifier list round trip")
    }

    if let extend = try? Extend2Message(body: bytes) {
        let wire = extend.encoded()
        fuzzCheck(wire == Array(bytes.prefix(wire.count)), "EXTEND2 round trip")
        fuzzCheck((try? Extend2Message(body: wire)) == extend, "EXTEND2 re-decode")
    }

    if let handshake = try? decodeCreated2Body(bytes) {
        fuzzCheck(Array(bytes.dropFirst(2).prefix(handshake.count)) == handshake, "CREATED2 body")
    }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzRelay) } }
