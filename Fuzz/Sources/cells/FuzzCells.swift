// CellFramer over the input split into network-sized pieces, then the link-cell decoders
// (VERSIONS, NETINFO, CERTS) on each framed cell and on the raw input.
import FuzzSupport
import TorProto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCells(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard let control = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    let width = control & 1 == 0 ? 2 : 4
    var framer = CellFramer(circuitIDWidth: width, maxVariableLength: control & 2 == 0 ? 65_535 : 1024)
    var consumed = 0, appended = 0, refused = false
    framing: for piece in chunks(bytes, of: Int(control >> 2) * 8 + 1) {
        framer.append(piece)
        appended += piece.count
        while true {
            let cell: Cell?
            do { cell = try framer.nextCell() } catch { refused = true; break framing }
            guard let cell else { break }
            let wire = cell.encoded(circuitIDWidth: width)
            fuzzCheck(consumed + wire.count <= appended, "framer returned more bytes than it was given")
            fuzzCheck(Array(bytes[consumed..<(consumed + wire.count)]) == wire, "framed cell does not re-encode to its bytes")
            consumed += wire.count
            decodeLinkCell(cell.command, cell.payload)
        }
    }
    if !refused { fuzzCheck(consumed + framer.bufferedCount == bytes.count, "framer lost or invented bytes") }
    for command in [ChannelCommand.versions, .netinfo, .certs] { decodeLinkCell(command, bytes) }
    return 0
}

private func decodeLinkCell(_ command: ChannelCommand, _ payload: [UInt8]) {
    switch command {
    case .versions:
        if let cell = try? VersionsCell(payload: payload) {
            fuzzCheck(cell.cell().payload == payload, "VERSIONS round trip")
            _ = cell.highestCommon(with: [3, 4, 5])
        }
    case .netinfo:
        _ = try? NetinfoCell(payload: payload)
    case .certs:
        if let cell = try? CertsCell(payload: payload) {
            for entry in cell.entries { _ = try? Ed25519Certificate(bytes: entry.body) }
        }
    default:
        break
    }
}

@main enum Main { static func main() { runFuzzer(fuzzCells) } }
