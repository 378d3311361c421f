import TorProto

/// A directory authority, as configured by a tor-style `DirAuthority` line:
/// `DirAuthority NAME orport=P [no-v2] [bridge] [v3ident=HEX] [ipv6=[A]:P] [weight=N] IP:DIRPORT FINGERPRINT`.
public struct DirAuthority: Sendable, Hashable {
    public var nickname: String
    /// IPv4 address.
    public var address: String
    public var dirPort: UInt16
    public var orPort: UInt16
    /// The relay RSA identity fingerprint (20 bytes).
    public var fingerprint: [UInt8]
    /// SHA-1 of the v3 authority identity key (20 bytes); `nil` for non-v3 (e.g. bridge) authorities.
    public var v3Identity: [UInt8]?
    public var ipv6: IPv6Endpoint?
    public var isBridge: Bool
    public var weight: Double

    public init(nickname: String, address: String, dirPort: UInt16, orPort: UInt16, fingerprint: [UInt8],
                v3Identity: [UInt8]?, ipv6: IPv6Endpoint? = nil, isBridge: Bool = false, weight: Double = 1) {
        self.nickname = nickname; self.address = address; self.dirPort = dirPort; self.orPort = orPort
        self.fingerprint = fingerprint; self.v3Identity = v3Identity; self.ipv6 = ipv6
        self.isBridge = isBridge; self.weight = weight
    }

    /// Whether this authority signs consensuses (has a v3 identity and is not a bridge authority).
    public var isV3: Bool { v3Identity != nil && !isBridge }

    /// Parses the value of a `DirAuthority` line (everything after the keyword), as C tor's
    /// `parse_dir_authority_line` does. Throws ``NetworkConfigError/badLine(line:reason:)``.
    public init(parsing value: String, line: Int = 0) throws {
        func fail(_ reason: String) -> NetworkConfigError { .badLine(line: line, reason: "DirAuthority: \(reason)") }
        var tokens = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)[...]
        guard let name = tokens.first, !name.contains("="), !name.contains(":") else { throw fail("missing nickname") }
        guard (1...19).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw fail("bad nickname '\(name)'")
        }
        tokens = tokens.dropFirst()
        var orPort: UInt16?, v3: [UInt8]?, ipv6: IPv6Endpoint?, bridge = false, weight = 1.0
        while let token = tokens.first, token.contains("=") || ["no-v2", "bridge", "hs", "no-hs", "v1"].contains(token) {
            tokens = tokens.dropFirst()
            if token == "bridge" { bridge = true; continue }
            if !token.contains("=") { continue }
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (key, val) = (parts[0].lowercased(), String(parts[1]))
            switch key {
            case "orport":
                guard let port = UInt16(val), port != 0 else { throw fail("bad orport '\(val)'") }
                orPort = port
            case "v3ident":
                guard let bytes = bytesFromHex(val), bytes.count == 20 else { throw fail("bad v3ident '\(val)'") }
                v3 = bytes
            case "ipv6":
                guard let endpoint = IPv6Endpoint(parsing: val) else { throw fail("bad ipv6 '\(val)'") }
                ipv6 = endpoint
            case "weight":
                guard let w = Double(val), w >= 0 else { throw fail("bad weight '\(val)'") }
                weight = w
            default:
                throw fail("unknown option '\(token)'")
            }
        }
        guard let addrport = tokens.first else { throw fail("missing address:dirport") }
        tokens = tokens.dropFirst()
        let (address, dirPort) = try DirAuthority.splitIPv4(addrport) ?? { throw fail("bad address:dirport '\(addrport)'") }()
        let hex = tokens.joined()
        guard let fingerprint = bytesFromHex(hex), fingerprint.count == 20 else {
            throw fail("bad or missing fingerprint '\(hex)'")
        }
        guard let orPort else { throw fail("missing orport=") }
        self.init(nickname: name, address: address, dirPort: dirPort, orPort: orPort, fingerprint: fingerprint,
                  v3Identity: v3, ipv6: ipv6, isBridge: bridge, weight: weight)
    }

    /// The tor-style configuration line (without the `DirAuthority` keyword).
    public var configValue: String {
        var parts = [nickname, "orport=\(orPort)"]
        if isBridge { parts.append("bridge") } else { parts.append("no-v2") }
        if let v3Identity { parts.append("v3ident=\(upperHex(v3Identity))") }
        if let ipv6 { parts.append("ipv6=\(ipv6)") }
        if weight != 1 { parts.append("weight=\(weight)") }
        parts.append("\(address):\(dirPort)")
        parts.append(upperHex(fingerprint))
        return parts.joined(separator: " ")
    }

    /// Splits `a.b.c.d:port`; `nil` unless a dotted-quad IPv4 address and a port.
    static func splitIPv4(_ text: String) -> (String, UInt16)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]), isIPv4(String(parts[0])) else { return nil }
        return (String(parts[0]), port)
    }

    static func isIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }
    }
}

/// A fallback directory mirror: `FallbackDir ADDRESS[:DIRPORT] orport=P id=FINGERPRINT [ipv6=[A]:P] [weight=N]`.
public struct FallbackDir: Sendable, Hashable {
    public var address: String
    public var orPort: UInt16
    /// The relay's RSA identity fingerprint (20 bytes).
    public var rsaIdentity: [UInt8]
    public var ipv6: IPv6Endpoint?
    public var dirPort: UInt16?

    public init(address: String, orPort: UInt16, rsaIdentity: [UInt8], ipv6: IPv6Endpoint? = nil, dirPort: UInt16? = nil) {
        self.address = address; self.orPort = orPort; self.rsaIdentity = rsaIdentity; self.ipv6 = ipv6; self.dirPort = dirPort
    }

    /// Parses the value of a `FallbackDir` line, as C tor's `parse_dir_fallback_line` does.
    public init(parsing value: String, line: Int = 0) throws {
        func fail(_ reason: String) -> NetworkConfigError { .badLine(line: line, reason: "FallbackDir: \(reason)") }
        var positional = [String]()
        var orPort: UInt16?, id: [UInt8]?, ipv6: IPv6Endpoint?
        for token in value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            guard let eq = token.firstIndex(of: "=") else { positional.append(token); continue }
            let key = token[..<eq].lowercased(), val = String(token[token.index(after: eq)...])
            switch key {
            case "orport":
                guard let port = UInt16(val), port != 0 else { throw fail("bad orport '\(val)'") }
                orPort = port
            case "id":
                guard let bytes = bytesFromHex(val), bytes.count == 20 else { throw fail("bad id '\(val)'") }
                id = bytes
            case "ipv6":
                guard let endpoint = IPv6Endpoint(parsing: val) else { throw fail("bad ipv6 '\(val)'") }
                ipv6 = endpoint
            case "weight":
                guard Double(val) != nil else { throw fail("bad weight '\(val)'") }
            default:
                throw fail("unknown option '\(token)'")
            }
        }
        guard positional.count == 1 else { throw fail("expected exactly one address") }
        var address = positional[0], dirPort: UInt16?
        if let (a, p) = DirAuthority.splitIPv4(address) { address = a; dirPort = p }
        guard DirAuthority.isIPv4(address) else { throw fail("bad address '\(positional[0])'") }
        guard let orPort else { throw fail("missing orport=") }
        guard let id else { throw fail("missing id=") }
        self.init(address: address, orPort: orPort, rsaIdentity: id, ipv6: ipv6, dirPort: dirPort)
    }

    /// The tor-style configuration line (without the `FallbackDir` keyword).
    public var configValue: String {
        var parts = [dirPort.map { "\(address):\($0)" } ?? address, "orport=\(orPort)", "id=\(upperHex(rsaIdentity))"]
        if let ipv6 { parts.append("ipv6=\(ipv6)") }
        return parts.joined(separator: " ")
    }
}
