/// The SOCKS wire format `onionctl proxy` speaks: SOCKS5 (RFC 1928, the "no authentication"
/// method only) and SOCKS4a. Pure: bytes in, values out; no I/O (SOCKSConnection does that).
///
/// Every parser takes the bytes received so far and answers `.incomplete` (read more, within the
/// size limit), `.complete(value, consumed:)` or `.malformed(reason)` (close without a reply).

/// The result of parsing a prefix of the bytes a client sent.
enum SOCKSParse<Value: Equatable>: Equatable {
    case incomplete
    case complete(Value, consumed: Int)
    case malformed(String)
}

/// A SOCKS5 reply code (RFC 1928 §6), with the prop304 extended codes of C tor and arti.
struct SOCKSReply: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    var rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let succeeded = SOCKSReply(rawValue: 0x00)
    static let generalFailure = SOCKSReply(rawValue: 0x01)
    static let notAllowed = SOCKSReply(rawValue: 0x02)
    static let networkUnreachable = SOCKSReply(rawValue: 0x03)
    static let hostUnreachable = SOCKSReply(rawValue: 0x04)
    static let connectionRefused = SOCKSReply(rawValue: 0x05)
    static let ttlExpired = SOCKSReply(rawValue: 0x06)
    static let commandNotSupported = SOCKSReply(rawValue: 0x07)
    static let addressTypeNotSupported = SOCKSReply(rawValue: 0x08)
    // Tor's extended errors (proposal 304): C tor with `SocksPort … ExtendedErrors`, arti always.
    static let onionDescriptorNotFound = SOCKSReply(rawValue: 0xF0)
    static let onionDescriptorInvalid = SOCKSReply(rawValue: 0xF1)
    static let onionIntroductionFailed = SOCKSReply(rawValue: 0xF2)
    static let onionRendezvousFailed = SOCKSReply(rawValue: 0xF3)
    static let onionMissingClientAuth = SOCKSReply(rawValue: 0xF4)
    static let onionBadClientAuth = SOCKSReply(rawValue: 0xF5)
    static let onionBadAddress = SOCKSReply(rawValue: 0xF6)
    static let onionIntroductionTimedOut = SOCKSReply(rawValue: 0xF7)

    var description: String {
        let words: String
        switch self {
        case .succeeded: words = "succeeded"
        case .generalFailure: words = "general failure"
        case .notAllowed: words = "not allowed by ruleset"
        case .networkUnreachable: words = "network unreachable"
        case .hostUnreachable: words = "host unreachable"
        case .connectionRefused: words = "connection refused"
        case .ttlExpired: words = "TTL expired"
        case .commandNotSupported: words = "command not supported"
        case .addressTypeNotSupported: words = "address type not supported"
        case .onionDescriptorNotFound: words = "onion service descriptor not found"
        case .onionDescriptorInvalid: words = "onion service descriptor invalid"
        case .onionIntroductionFailed: words = "onion service introduction failed"
        case .onionRendezvousFailed: words = "onion service rendezvous failed"
        case .onionMissingClientAuth: words = "onion service client authorization missing"
        case .onionBadClientAuth: words = "onion service client authorization rejected"
        case .onionBadAddress: words = "invalid onion address"
        case .onionIntroductionTimedOut: words = "onion service introduction timed out"
        default: words = "unknown"
        }
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "\(words) (0x\(hex.count < 2 ? "0" + hex : hex))"
    }
}

/// A SOCKS command.
enum SOCKSCommand: Equatable, Sendable {
    case connect, bind, udpAssociate
    case other(UInt8)
    /// Tor's extensions (RESOLVE 0xF0, RESOLVE_PTR 0xF1): refused like any other.
    init(_ byte: UInt8) {
        switch byte {
        case 1: self = .connect
        case 2: self = .bind
        case 3: self = .udpAssociate
        default: self = .other(byte)
        }
    }
}

/// Where a client asked to go.
enum SOCKSTarget: Equatable, Sendable, CustomStringConvertible {
    case ipv4([UInt8])
    case ipv6([UInt8])
    /// ATYP 3 (or SOCKS4a's host name): the raw bytes, which need not be UTF-8.
    case domain([UInt8])

    var description: String {
        switch self {
        case let .ipv4(bytes): return bytes.map(String.init).joined(separator: ".")
        case let .ipv6(bytes):
            return "[" + stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":") + "]"
        case let .domain(bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// A CONNECT (or other) request.
struct SOCKSRequest: Equatable, Sendable {
    enum Version: Equatable, Sendable { case socks4, socks5 }
    var version: Version
    var command: SOCKSCommand
    var target: SOCKSTarget
    var port: UInt16
}

enum SOCKSCodec {
    /// The most a greeting plus request can take (SOCKS5: 2 + 255 + 4 + 1 + 255 + 2; SOCKS4a:
    /// user id and host name, each bounded here): more without a complete request is malformed.
    static let maxHandshakeBytes = 1024
    static let noAuthentication: UInt8 = 0x00
    static let noAcceptableMethod: UInt8 = 0xFF

    /// The protocol version the first byte announces (4 or 5), `nil` for anything else.
    static func version(_ bytes: ArraySlice<UInt8>) -> SOCKSRequest.Version? {
        switch bytes.first {
        case 4: return .socks4
        case 5: return .socks5
        default: return nil
        }
    }

    /// SOCKS5 greeting: VER=5, NMETHODS (≥ 1), METHODS. Its value: the methods offered.
    static func parseGreeting(_ bytes: ArraySlice<UInt8>) -> SOCKSParse<[UInt8]> {
        guard let first = bytes.first else { return .incomplete }
        guard first == 5 else { return .malformed("not SOCKS5 (version byte \(first))") }
        guard bytes.count >= 2 else { return .incomplete }
        let count = Int(bytes[bytes.startIndex + 1])
        guard count > 0 else { return .malformed("a SOCKS5 greeting that offers no method") }
        guard bytes.count >= 2 + count else { return .incomplete }
        let start = bytes.startIndex + 2
        return .complete(Array(bytes[start..<start + count]), consumed: 2 + count)
    }

    /// The method onionctl picks from those offered: "no authentication", or none acceptable.
    static func chooseMethod(_ offered: [UInt8]) -> UInt8 {
        offered.contains(noAuthentication) ? noAuthentication : noAcceptableMethod
    }

    /// The method-selection message: VER=5, METHOD.
    static func methodSelection(_ method: UInt8) -> [UInt8] { [5, method] }

    /// Why a SOCKS5 request cannot be read on: an address type nobody knows (the reply is
    /// "address type not supported"; its length is unknown, so the connection closes after it).
    enum RequestProblem: Equatable { case unknownAddressType(UInt8) }

    /// SOCKS5 request: VER=5, CMD, RSV, ATYP, DST.ADDR, DST.PORT.
    static func parseRequest(_ bytes: ArraySlice<UInt8>) -> SOCKSParse<Result<SOCKSRequest, RequestProblemError>> {
        guard bytes.count >= 4 else {
            if let first = bytes.first, first != 5 { return .malformed("a SOCKS5 request with version byte \(first)") }
            return .incomplete
        }
        let base = bytes.startIndex
        guard bytes[base] == 5 else { return .malformed("a SOCKS5 request with version byte \(bytes[base])") }
        let command = SOCKSCommand(bytes[base + 1])
        let addressStart = base + 4
        let target: SOCKSTarget
        let addressEnd: Int
        switch bytes[base + 3] {
        case 1:
            addressEnd = addressStart + 4
            guard bytes.endIndex >= addressEnd + 2 else { return .incomplete }
            target = .ipv4(Array(bytes[addressStart..<addressEnd]))
        case 4:
            addressEnd = addressStart + 16
            guard bytes.endIndex >= addressEnd + 2 else { return .incomplete }
            target = .ipv6(Array(bytes[addressStart..<addressEnd]))
        case 3:
            guard bytes.count >= 5 else { return .incomplete }
            let length = Int(bytes[addressStart])
            guard length > 0 else { return .malformed("an empty domain name") }
            addressEnd = addressStart + 1 + length
            guard bytes.endIndex >= addressEnd + 2 else { return .incomplete }
            target = .domain(Array(bytes[(addressStart + 1)..<addressEnd]))
        case let other:
            return .complete(.failure(RequestProblemError(problem: .unknownAddressType(other))), consumed: bytes.count)
        }
        let port = UInt16(bytes[addressEnd]) << 8 | UInt16(bytes[addressEnd + 1])
        return .complete(.success(SOCKSRequest(version: .socks5, command: command, target: target, port: port)),
                         consumed: addressEnd + 2 - base)
    }

    /// SOCKS4 / SOCKS4a request: VER=4, CMD, DSTPORT, DSTIP, USERID NUL, and with DSTIP 0.0.0.x
    /// (x ≠ 0) the host name NUL (SOCKS4a).
    static func parseSOCKS4(_ bytes: ArraySlice<UInt8>) -> SOCKSParse<SOCKSRequest> {
        guard let first = bytes.first else { return .incomplete }
        guard first == 4 else { return .malformed("not SOCKS4 (version byte \(first))") }
        guard bytes.count >= 9 else { return .incomplete }
        let base = bytes.startIndex
        let command = SOCKSCommand(bytes[base + 1])
        let port = UInt16(bytes[base + 2]) << 8 | UInt16(bytes[base + 3])
        let ip = Array(bytes[(base + 4)..<(base + 8)])
        guard let userEnd = bytes[(base + 8)...].firstIndex(of: 0) else {
            return bytes.count > maxHandshakeBytes ? .malformed("a SOCKS4 user id without its end") : .incomplete
        }
        let isSOCKS4a = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0
        guard isSOCKS4a else {
            return .complete(SOCKSRequest(version: .socks4, command: command, target: .ipv4(ip), port: port),
                             consumed: userEnd + 1 - base)
        }
        guard let hostEnd = bytes[(userEnd + 1)...].firstIndex(of: 0) else {
            return bytes.count > maxHandshakeBytes ? .malformed("a SOCKS4a host name without its end") : .incomplete
        }
        guard hostEnd > userEnd + 1 else { return .malformed("an empty SOCKS4a host name") }
        return .complete(SOCKSRequest(version: .socks4, command: command,
                                      target: .domain(Array(bytes[(userEnd + 1)..<hostEnd])), port: port),
                         consumed: hostEnd + 1 - base)
    }

    /// A SOCKS5 reply: VER=5, REP, RSV, ATYP=1, BND.ADDR 0.0.0.0, BND.PORT 0 (as C tor and arti
    /// answer for onion services: the bound address means nothing through Tor).
    static func reply(_ code: SOCKSReply) -> [UInt8] { [5, code.rawValue, 0, 1, 0, 0, 0, 0, 0, 0] }

    /// A SOCKS4 reply: VN=0, CD (90 granted, 91 rejected), DSTPORT, DSTIP, all zero.
    static func socks4Reply(granted: Bool) -> [UInt8] { [0, granted ? 90 : 91, 0, 0, 0, 0, 0, 0] }
}

/// ``SOCKSCodec/RequestProblem`` as an `Error`, so it fits a `Result`.
struct RequestProblemError: Error, Equatable { var problem: SOCKSCodec.RequestProblem }
