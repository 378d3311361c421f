import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import TorClient

/// Options every command shares.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Network file (tor-style DirAuthority lines, TestingTorNetwork 1) selecting a private network; default: $ONIONCTL_NETWORK or the real Tor network.", valueName: "FILE"))
    public var network: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    public var json = false

    public init() {}

    /// The Tor client's configuration. `directoryPatience`: how long a bootstrap with nothing cached
    /// retries failing directory sources (a one-shot command: 30 s, so "no Tor directory" comes well
    /// inside its --timeout; the dashboard and the proxy pass the library's default of 10 minutes).
    func torConfiguration(directoryPatience: TimeInterval = GlobalOptions.oneShotDirectoryPatience) throws -> TorClientConfiguration {
        var configuration = try TorClientConfiguration.load(networkFile: network)
        configuration.directoryRetryPatience = directoryPatience
        return configuration
    }

    static let oneShotDirectoryPatience: TimeInterval = 30
    static let longRunningDirectoryPatience: TimeInterval = 600
}

/// Writes JSON for `--json` output: sorted keys, ISO 8601 dates.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let data = terminalSafeJSON(try encoder.encode(value))
    StandardStreams.out(data)
    StandardStreams.out("\n")
}
