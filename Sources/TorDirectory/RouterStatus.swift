import TorProto

/// Router flags from a consensus `s` line (dir-spec §3.4.1). Unknown flags are ignored.
public struct RouterFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let authority = RouterFlags(rawValue: 1 << 0)
    public static let badExit = RouterFlags(rawValue: 1 << 1)
    public static let exit = RouterFlags(rawValue: 1 << 2)
    public static let fast = RouterFlags(rawValue: 1 << 3)
    public static let `guard` = RouterFlags(rawValue: 1 << 4)
    public static let hsDir = RouterFlags(rawValue: 1 << 5)
    public static let middleOnly = RouterFlags(rawValue: 1 << 6)
    public static let noEdConsensus = RouterFlags(rawValue: 1 << 7)
    public static let running = RouterFlags(rawValue: 1 << 8)
    public static let stable = RouterFlags(rawValue: 1 << 9)
    public static let staleDesc = RouterFlags(rawValue: 1 << 10)
    public static let v2Dir = RouterFlags(rawValue: 1 << 11)
    public static let valid = RouterFlags(rawValue: 1 << 12)

    /// Flag names as written in documents.
    public static let byName: [String: RouterFlags] = [
        "Authority": .authority, "BadExit": .badExit, "Exit": .exit, "Fast": .fast, "Guard": .guard,
        "HSDir": .hsDir, "MiddleOnly": .middleOnly, "NoEdConsensus": .noEdConsensus, "Running": .running,
        "Stable": .stable, "StaleDesc": .staleDesc, "V2Dir": .v2Dir, "Valid": .valid,
    ]

    /// Parses flag names, ignoring unknown ones.
    public init(names: [String]) {
        self = names.reduce(into: RouterFlags()) { $0.formUnion(RouterFlags.byName[$1] ?? []) }
    }

    /// The names of the set flags, sorted.
    public var names: [String] { RouterFlags.byName.filter { contains($0.value) }.map(\.key).sorted() }
}

/// An IPv6 OR address from an `a` line.
public struct IPv6Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// The address without brackets, as written (e.g. `2a0a:4cc0:c1:2aac::1`).
    public var address: String
    public var port: UInt16
    public var description: String { "[\(address)]:\(port)" }

    /// Parses `[addr]:port`; `nil` if malformed.
    public init?(parsing text: String) {
        guard text.hasPrefix("["), let close = text.lastIndex(of: "]") else { return nil }
        let address = String(text[text.index(after: text.startIndex)..<close])
        let rest = text[text.index(after: close)...]
        guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port != 0,
              address.contains(":"), address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        self.address = address
        self.port = port
    }

    public init(address: String, port: UInt16) { self.address = address; self.port = port }
}

/// One relay's entry in a microdescriptor consensus (`r`, `a`, `m`, `s`, `v`, `pr`, `w` lines).
public struct RouterStatus: Sendable, Equatable {
    public var nickname: String
    /// SHA-1 of the relay's RSA identity key (20 bytes).
    public var rsaIdentity: [UInt8]
    /// IPv4 address as written (`152.53.144.50`).
    public var address: String
    /// The IPv4 address as 4 bytes.
    public var addressBytes: [UInt8]
    public var orPort: UInt16
    public var dirPort: UInt16
    /// IPv6 OR addresses from `a` lines.
    public var ipv6Addresses: [IPv6Endpoint]
    /// SHA-256 of the relay's microdescriptor (32 bytes), from the `m` line.
    public var microdescriptorDigest: [UInt8]
    public var flags: RouterFlags
    /// Unknown flags are dropped from ``flags`` but kept here by name.
    public var flagNames: [String]
    /// The `v` line (`Tor 0.4.9.9`), if present.
    public var version: String?
    /// The `pr` line.
    public var protocols: ProtocolVersions
    /// `w Bandwidth=N` (kilobytes/s, as voted), 0 if absent.
    public var bandwidth: UInt32
    /// `w … Unmeasured=1`.
    public var isUnmeasured: Bool
    /// Line of the `r` item.
    public var line: Int

    /// Upper-case hex of ``rsaIdentity``.
    public var fingerprint: String { upperHex(rsaIdentity) }

    /// Parses one entry: `items` starts with `r` and runs up to the next `r` or the footer.
    init(items: ArraySlice<NetDocument.Item>) throws {
        var interner = Interner()
        try self.init(items: items, interning: &interner)
    }

    /// What the entries of one consensus share: a public consensus's ~8,000 entries carry only a
    /// few dozen distinct `pr`, `s` and `v` lines, so each distinct one is parsed and stored once
    /// and every entry that repeats it holds the same storage (issue 12).
    struct Interner {
        private var protocols = [[String]: ProtocolVersions]()
        private var flagNames = [[String]: [String]]()
        private var versions = [[String]: String]()

        mutating func protocols(_ item: NetDocument.Item) throws -> ProtocolVersions {
            if let known = protocols[item.arguments] { return known }
            let parsed = try ProtocolVersions(parsing: item.arguments, line: item.line, keyword: "pr")
            protocols[item.arguments] = parsed
            return parsed
        }

        mutating func flagNames(_ names: [String]) -> [String] {
            if let known = flagNames[names] { return known }
            flagNames[names] = names
            return names
        }

        mutating func version(_ words: [String]) -> String {
            if let known = versions[words] { return known }
            let version = words.joined(separator: " ")
            versions[words] = version
            return version
        }
    }

    /// Parses one entry, sharing repeated lines through `interner`.
    init(items: ArraySlice<NetDocument.Item>, interning interner: inout Interner) throws {
        guard let r = items.first, r.keyword == "r" else { throw NetDocumentError.missingKeyword("r") }
        line = r.line
        guard r.arguments.count >= 7 else {
            throw NetDocumentError.missingArgument(keyword: "r", index: r.arguments.count, line: r.line)
        }
        nickname = r.arguments[0]
        guard (1...19).contains(nickname.count), nickname.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw NetDocumentError.badArgument(keyword: "r", value: nickname, line: r.line)
        }
        rsaIdentity = try r.base64Argument(1, length: 20)
        address = r.arguments[4]
        let octets = address.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, address.split(separator: ".", omittingEmptySubsequences: false).count == 4 else {
            throw NetDocumentError.badArgument(keyword: "r", value: address, line: r.line)
        }
        addressBytes = octets
        orPort = try r.intArgument(5)
        dirPort = try r.intArgument(6)
        ipv6Addresses = []
        microdescriptorDigest = []
        flags = []
        flagNames = []
        protocols = ProtocolVersions()
        bandwidth = 0
        isUnmeasured = false
        var sawM = false, sawS = false
        for item in items.dropFirst() {
            switch item.keyword {
            case "a":
                let value = try item.argument(0)
                if value.hasPrefix("[") {
                    guard let endpoint = IPv6Endpoint(parsing: value) else {
                        throw NetDocumentError.badArgument(keyword: "a", value: value, line: item.line)
                    }
                    ipv6Addresses.append(endpoint)
                }
            case "m":
                guard !sawM else { throw NetDocumentError.repeatedKeyword("m", line: item.line) }
                microdescriptorDigest = try item.base64Argument(0, length: 32)
                sawM = true
            case "s":
                guard !sawS else { throw NetDocumentError.repeatedKeyword("s", line: item.line) }
                flagNames = interner.flagNames(item.arguments)
                flags = RouterFlags(names: item.arguments)
                sawS = true
            case "v":
                version = interner.version(item.arguments)
            case "pr":
                protocols = try interner.protocols(item)
            case "w":
                for argument in item.arguments {
                    if argument.hasPrefix("Bandwidth=") {
                        guard let value = UInt32(argument.dropFirst(10)) else {
                            throw NetDocumentError.badArgument(keyword: "w", value: argument, line: item.line)
                        }
                        bandwidth = value
                    } else if argument == "Unmeasured=1" {
                        isUnmeasured = true
                    }
                }
            default:
                continue
            }
        }
        guard sawM else { throw NetDocumentError.wrongDocument("line \(r.line): router \(nickname) has no 'm' line") }
        guard sawS else { throw NetDocumentError.wrongDocument("line \(r.line): router \(nickname) has no 's' line") }
    }
}
