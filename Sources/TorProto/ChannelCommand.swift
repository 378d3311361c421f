/// Channel (link-level) cell commands, tor-spec §3.
public struct ChannelCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let padding = ChannelCommand(rawValue: 0)
    public static let create = ChannelCommand(rawValue: 1)
    public static let created = ChannelCommand(rawValue: 2)
    public static let relay = ChannelCommand(rawValue: 3)
    public static let destroy = ChannelCommand(rawValue: 4)
    public static let createFast = ChannelCommand(rawValue: 5)
    public static let createdFast = ChannelCommand(rawValue: 6)
    public static let versions = ChannelCommand(rawValue: 7)
    public static let netinfo = ChannelCommand(rawValue: 8)
    public static let relayEarly = ChannelCommand(rawValue: 9)
    public static let create2 = ChannelCommand(rawValue: 10)
    public static let created2 = ChannelCommand(rawValue: 11)
    public static let paddingNegotiate = ChannelCommand(rawValue: 12)
    public static let vpadding = ChannelCommand(rawValue: 128)
    public static let certs = ChannelCommand(rawValue: 129)
    public static let authChallenge = ChannelCommand(rawValue: 130)
    public static let authenticate = ChannelCommand(rawValue: 131)
    public static let authorize = ChannelCommand(rawValue: 132)

    /// VERSIONS and every command from 128 up use the variable-length cell format.
    public var isVariableLength: Bool { rawValue == 7 || rawValue >= 128 }

    public var description: String {
        switch rawValue {
        case 0: return "PADDING"
        case 1: return "CREATE"
        case 2: return "CREATED"
        case 3: return "RELAY"
        case 4: return "DESTROY"
        case 5: return "CREATE_FAST"
        case 6: return "CREATED_FAST"
        case 7: return "VERSIONS"
        case 8: return "NETINFO"
        case 9: return "RELAY_EARLY"
        case 10: return "CREATE2"
        case 11: return "CREATED2"
        case 12: return "PADDING_NEGOTIATE"
        case 128: return "VPADDING"
        case 129: return "CERTS"
        case 130: return "AUTH_CHALLENGE"
        case 131: return "AUTHENTICATE"
        case 132: return "AUTHORIZE"
        default: return "command \(rawValue)"
        }
    }
}
