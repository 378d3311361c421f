/// Stream flow control on congestion-controlled circuits (proposal 344; `flow_control_cells.trunnel`):
/// XOFF asks the other end to stop sending on a stream, XON to resume (with an advisory rate).
public enum FlowControlMessage: Equatable, Sendable {
    /// `version[1] = 0`.
    case xoff
    /// `version[1] = 0 | kbps_ewma[4]`: the drain rate seen, in kilobytes/s; 0 means no advice (unlimited).
    case xon(kilobytesPerSecond: UInt32)

    public var command: RelayCommand {
        switch self {
        case .xoff: return .xoff
        case .xon: return .xon
        }
    }

    public func encoded() -> [UInt8] {
        switch self {
        case .xoff: return [0]
        case let .xon(rate):
            var out: [UInt8] = [0]
            out.appendU32(rate)
            return out
        }
    }

    /// Parses the body of an XOFF or XON message; only version 0 exists.
    public init(command: RelayCommand, body: [UInt8]) throws {
        var reader = ByteReader(body)
        let version = try reader.readU8("\(command) version")
        guard version == 0 else { throw ProtoError.invalidValue(what: "\(command) version", detail: "\(version), only 0 exists") }
        switch command {
        case .xoff: self = .xoff
        case .xon: self = .xon(kilobytesPerSecond: try reader.readU32("XON rate"))
        default: throw ProtoError.invalidValue(what: "flow-control command", detail: "\(command)")
        }
    }
}
