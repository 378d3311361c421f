/// A set of subprotocol versions as written in consensus protocol lines and relay `pr` lines
/// (`Cons=2 Desc=1-2 Link=4-5 LinkAuth=1,3`), tor-spec §9.
///
/// Versions are limited to 0…63, as in C tor; each protocol's versions are kept as a bit mask.
public struct ProtocolVersions: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Protocol name → bit mask of supported versions (bit `v` set ⇔ version `v`).
    public private(set) var entries: [String: UInt64]

    /// The empty set.
    public init() { entries = [:] }

    /// Builds a set from name → version ranges.
    public init(_ ranges: [String: [ClosedRange<UInt32>]]) {
        var entries = [String: UInt64]()
        for (name, list) in ranges {
            var mask: UInt64 = 0
            for range in list where range.upperBound < 64 {
                for version in range { mask |= 1 << UInt64(version) }
            }
            entries[name] = mask
        }
        self.entries = entries
    }

    /// Parses the space-separated `Name=versions` list. `line` is used in error messages.
    public init(parsing text: String, line: Int = 0) throws {
        try self.init(parsing: text.split(separator: " ").map(String.init), line: line)
    }

    /// Parses already-split `Name=versions` arguments (as a ``NetDocument/Item`` holds them).
    public init(parsing fields: [String], line: Int = 0, keyword: String = "protocols") throws {
        var entries = [String: UInt64]()
        for field in fields {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw NetDocumentError.badArgument(keyword: keyword, value: field, line: line)
            }
            let name = String(parts[0])
            guard entries[name] == nil else {
                throw NetDocumentError.badArgument(keyword: keyword, value: field, line: line)
            }
            var mask: UInt64 = 0
            if !parts[1].isEmpty {
                for piece in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                    let bounds = piece.split(separator: "-", omittingEmptySubsequences: false)
                    guard (1...2).contains(bounds.count),
                          let low = UInt32(bounds[0]), let high = UInt32(bounds[bounds.count - 1]),
                          low <= high, high < 64 else {
                        throw NetDocumentError.badArgument(keyword: keyword, value: field, line: line)
                    }
                    for version in low...high { mask |= 1 << UInt64(version) }
                }
            }
            entries[name] = mask
        }
        self.entries = entries
    }

    /// Whether `version` of protocol `name` is in the set.
    public func supports(_ name: String, _ version: UInt32) -> Bool {
        guard version < 64, let mask = entries[name] else { return false }
        return mask & (1 << UInt64(version)) != 0
    }

    /// The versions in `required` that this set lacks (empty when everything is supported).
    public func missing(from required: ProtocolVersions) -> ProtocolVersions {
        var result = ProtocolVersions()
        for (name, mask) in required.entries {
            let lacking = mask & ~(entries[name] ?? 0)
            if lacking != 0 { result.entries[name] = lacking }
        }
        return result
    }

    /// True when no protocol versions are listed.
    public var isEmpty: Bool { entries.values.allSatisfy { $0 == 0 } }

    /// Canonical form: names sorted, versions as compact ranges (`Link=4-5 Relay=2`).
    public var description: String {
        entries.keys.sorted().map { name -> String in
            let mask = entries[name] ?? 0
            var pieces = [String]()
            var version: UInt64 = 0
            while version < 64 {
                if mask & (1 << version) != 0 {
                    var end = version
                    while end + 1 < 64 && mask & (1 << (end + 1)) != 0 { end += 1 }
                    pieces.append(end == version ? "\(version)" : "\(version)-\(end)")
                    version = end + 1
                } else {
                    version += 1
                }
            }
            return "\(name)=\(pieces.joined(separator: ","))"
        }.joined(separator: " ")
    }

    /// What onionctl's embedded client implements (checked against `required-client-protocols`).
    /// `FlowCtrl=2` (congestion control) is negotiated with onion services; `Relay=4` is ntor v3.
    public static let onionctlSupported: ProtocolVersions = ProtocolVersions([
        "Cons": [2...2], "Desc": [2...2], "FlowCtrl": [1...2], "Link": [4...5], "Microdesc": [2...2],
        "Relay": [2...2, 4...4], "HSDir": [2...2], "HSIntro": [4...4], "HSRend": [2...2], "DirCache": [2...2],
    ])
}
