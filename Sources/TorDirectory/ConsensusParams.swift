/// The consensus `params` line (`name=int32` pairs) with the typed accessors a client needs.
///
/// Each accessor uses C tor's default and clamps out-of-range values into C's bounds
/// (`networkstatus_get_param`), so a hostile or buggy consensus cannot push values outside them.
public struct ConsensusParams: Sendable, Equatable {
    public var values: [String: Int32]

    public init(_ values: [String: Int32] = [:]) { self.values = values }

    /// Parses `k=v` arguments; `line` is used in errors.
    init(arguments: [String], keyword: String, line: Int) throws {
        var values = [String: Int32]()
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int32(parts[1]) else {
                throw NetDocumentError.badArgument(keyword: keyword, value: argument, line: line)
            }
            values[String(parts[0])] = value
        }
        self.values = values
    }

    public subscript(name: String) -> Int32? { values[name] }

    /// `name`'s value, or `defaultValue` when absent, clamped to `range`.
    public func value(_ name: String, default defaultValue: Int32, range: ClosedRange<Int32>) -> Int32 {
        guard let raw = values[name] else { return defaultValue }
        return min(max(raw, range.lowerBound), range.upperBound)
    }

    /// Circuit-level SENDME window (default 1000, 100…1000).
    public var circwindow: Int32 { value("circwindow", default: 1000, range: 100...1000) }
    /// Lowest SENDME version to emit (default 1, 0…255).
    public var sendmeEmitMinVersion: Int32 { value("sendme_emit_min_version", default: 1, range: 0...255) }
    /// Lowest SENDME version to accept (default 0, 0…255; live network: 1).
    public var sendmeAcceptMinVersion: Int32 { value("sendme_accept_min_version", default: 0, range: 0...255) }
    /// Onion-service HSDir replicas (default 2, 1…16).
    public var hsdirNReplicas: Int32 { value("hsdir_n_replicas", default: 2, range: 1...16) }
    /// HSDirs to try per replica when fetching (default 3, 1…128).
    public var hsdirSpreadFetch: Int32 { value("hsdir_spread_fetch", default: 3, range: 1...128) }
    /// HSDirs per replica a service uploads to (default 4, 1…128).
    public var hsdirSpreadStore: Int32 { value("hsdir_spread_store", default: 4, range: 1...128) }
    /// Time-period length in minutes (`hsdir_interval`, default 1440, 5…14400).
    public var hsdirInterval: Int32 { value("hsdir_interval", default: 1440, range: 5...14400) }
    /// Divisor for bandwidth weights (default 10000, 1…Int32.max).
    public var bwweightscale: Int32 { value("bwweightscale", default: 10000, range: 1...Int32.max) }
}
