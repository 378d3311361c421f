/// Relay commands (tor-spec §6.1; onion-service commands from rend-spec-v3).
public struct RelayCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let begin = RelayCommand(rawValue: 1)
    public static let data = RelayCommand(rawValue: 2)
    public static let end = RelayCommand(rawValue: 3)
    public static let connected = RelayCommand(rawValue: 4)
    public static let sendme = RelayCommand(rawValue: 5)
    public static let extend = RelayCommand(rawValue: 6)
    public static let extended = RelayCommand(rawValue: 7)
    public static let truncate = RelayCommand(rawValue: 8)
    public static let truncated = RelayCommand(rawValue: 9)
    public static let drop = RelayCommand(rawValue: 10)
    public static let resolve = RelayCommand(rawValue: 11)
    public static let resolved = RelayCommand(rawValue: 12)
    public static let beginDir = RelayCommand(rawValue: 13)
    public static let extend2 = RelayCommand(rawValue: 14)
    public static let extended2 = RelayCommand(rawValue: 15)
    public static let establishIntro = RelayCommand(rawValue: 32)
    public static let establishRendezvous = RelayCommand(rawValue: 33)
    public static let introduce1 = RelayCommand(rawValue: 34)
    public static let introduce2 = RelayCommand(rawValue: 35)
    public static let rendezvous1 = RelayCommand(rawValue: 36)
    public static let rendezvous2 = RelayCommand(rawValue: 37)
    public static let introEstablished = RelayCommand(rawValue: 38)
    public static let rendezvousEstablished = RelayCommand(rawValue: 39)
    public static let introduceAck = RelayCommand(rawValue: 40)
    public static let paddingNegotiate = RelayCommand(rawValue: 41)
    public static let paddingNegotiated = RelayCommand(rawValue: 42)
    public static let xoff = RelayCommand(rawValue: 43)
    public static let xon = RelayCommand(rawValue: 44)

    /// Commands that belong to a stream and so must carry a non-zero stream ID.
    public var isStreamCommand: Bool {
        switch rawValue {
        case 1, 2, 3, 4, 11, 12, 13, 43, 44: return true
        default: return false
        }
    }

    public var description: String {
        let names: [UInt8: String] = [
            1: "BEGIN", 2: "DATA", 3: "END", 4: "CONNECTED", 5: "SENDME", 6: "EXTEND", 7: "EXTENDED",
            8: "TRUNCATE", 9: "TRUNCATED", 10: "DROP", 11: "RESOLVE", 12: "RESOLVED", 13: "BEGIN_DIR",
            14: "EXTEND2", 15: "EXTENDED2", 32: "ESTABLISH_INTRO", 33: "ESTABLISH_RENDEZVOUS",
            34: "INTRODUCE1", 35: "INTRODUCE2", 36: "RENDEZVOUS1", 37: "RENDEZVOUS2",
            38: "INTRO_ESTABLISHED", 39: "RENDEZVOUS_ESTABLISHED", 40: "INTRODUCE_ACK",
            41: "PADDING_NEGOTIATE", 42: "PADDING_NEGOTIATED", 43: "XOFF", 44: "XON",
        ]
        return names[rawValue] ?? "relay command \(rawValue)"
    }
}
