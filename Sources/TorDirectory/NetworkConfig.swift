import TorCrypto

/// Which Tor network to use: its directory authorities and fallback directories.
///
/// The file format is a subset of torrc: `DirAuthority …`, `FallbackDir …`, `TestingTorNetwork 0|1`,
/// `EnforceDistinctSubnets 0|1`, `#` comments and blank lines. Anything else is an error naming the line.
public struct NetworkConfig: Sendable, Equatable {
    public var authorities: [DirAuthority]
    public var fallbacks: [FallbackDir]
    /// `TestingTorNetwork 1`: a private network (e.g. on loopback); relaxes path restrictions.
    public var testingTorNetwork: Bool
    /// `EnforceDistinctSubnets 0|1` as set in the file; `nil` takes C tor's default (see
    /// ``enforceDistinctSubnets``).
    public var enforceDistinctSubnetsSetting: Bool?

    /// Whether two relays in one IPv4 /16 or IPv6 /32 may not share a path (C tor's
    /// `EnforceDistinctSubnets`): on by default, off by default under `TestingTorNetwork 1`, where
    /// every relay may run on one address (the private network runs all of them on 127.0.0.1).
    public var enforceDistinctSubnets: Bool { enforceDistinctSubnetsSetting ?? !testingTorNetwork }

    public init(authorities: [DirAuthority], fallbacks: [FallbackDir] = [], testingTorNetwork: Bool = false,
                enforceDistinctSubnets: Bool? = nil) {
        self.authorities = authorities; self.fallbacks = fallbacks; self.testingTorNetwork = testingTorNetwork
        self.enforceDistinctSubnetsSetting = enforceDistinctSubnets
    }

    /// Parses a network file.
    public init(parsing text: String) throws {
        var authorities = [DirAuthority](), fallbacks = [FallbackDir](), testing = false
        var distinctSubnets: Bool?
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmedOf(" \t\r")
            if trimmed.isEmpty { continue }
            let keyword: Substring, value: String
            if let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                keyword = trimmed[..<space]
                value = String(trimmed[space...]).trimmedOf(" \t")
            } else {
                keyword = trimmed[...]; value = ""
            }
            switch keyword.lowercased() {
            case "dirauthority":
                authorities.append(try DirAuthority(parsing: value, line: lineNumber))
            case "fallbackdir":
                fallbacks.append(try FallbackDir(parsing: value, line: lineNumber))
            case "testingtornetwork":
                guard value == "0" || value == "1" else {
                    throw NetworkConfigError.badLine(line: lineNumber, reason: "TestingTorNetwork takes 0 or 1, not '\(value)'")
                }
                testing = value == "1"
            case "enforcedistinctsubnets":
                guard value == "0" || value == "1" else {
                    throw NetworkConfigError.badLine(line: lineNumber, reason: "EnforceDistinctSubnets takes 0 or 1, not '\(value)'")
                }
                distinctSubnets = value == "1"
            default:
                throw NetworkConfigError.unknownKeyword(line: lineNumber, keyword: String(keyword))
            }
        }
        guard authorities.contains(where: \.isV3) else { throw NetworkConfigError.noAuthorities }
        let names = authorities.map(\.nickname)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw NetworkConfigError.duplicateAuthority(duplicate)
        }
        self.init(authorities: authorities, fallbacks: fallbacks, testingTorNetwork: testing,
                  enforceDistinctSubnets: distinctSubnets)
    }

    /// The authorities that sign consensuses.
    public var v3Authorities: [DirAuthority] { authorities.filter(\.isV3) }

    /// Their v3 identities.
    public var trustedIdentities: [[UInt8]] { v3Authorities.compactMap(\.v3Identity) }

    /// A short stable name for this network, for cache directories: `tor` for the public network,
    /// otherwise `net-` + the first 16 hex digits of SHA-256 over the sorted v3 identities.
    public var networkID: String {
        if Set(trustedIdentities) == Set(NetworkConfig.defaultTorNetwork.trustedIdentities) { return "tor" }
        let joined = trustedIdentities.map(upperHex).sorted().joined(separator: ",")
        return "net-" + String(upperHex(Hash.sha256(Array(joined.utf8))).prefix(16)).lowercased()
    }

    /// The file form of this configuration (parses back to an equal value).
    public var fileText: String {
        var lines = authorities.map { "DirAuthority \($0.configValue)" }
        lines += fallbacks.map { "FallbackDir \($0.configValue)" }
        if testingTorNetwork { lines.append("TestingTorNetwork 1") }
        if let enforceDistinctSubnetsSetting { lines.append("EnforceDistinctSubnets \(enforceDistinctSubnetsSetting ? 1 : 0)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The public Tor network: its 9 v3 authorities and the fallback list.
    public static let defaultTorNetwork = NetworkConfig(
        authorities: DefaultAuthorities.all, fallbacks: DefaultFallbacks.all, testingTorNetwork: false)
}

/// Errors in a network file.
public enum NetworkConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownKeyword(line: Int, keyword: String)
    case badLine(line: Int, reason: String)
    case noAuthorities
    case duplicateAuthority(String)

    public var description: String {
        switch self {
        case let .unknownKeyword(line, keyword):
            return "line \(line): unknown keyword '\(keyword)' (expected DirAuthority, FallbackDir, TestingTorNetwork or EnforceDistinctSubnets)"
        case let .badLine(line, reason): return "line \(line): \(reason)"
        case .noAuthorities: return "the network file lists no v3 directory authority (DirAuthority … v3ident=…)"
        case let .duplicateAuthority(name): return "authority '\(name)' is listed twice"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmedOf(_ set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
