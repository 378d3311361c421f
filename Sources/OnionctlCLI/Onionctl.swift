import ArgumentParser

/// The `onionctl` command line. With no subcommand it opens the dashboard.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct Onionctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "onionctl",
        abstract: "Control your own devices directly through Tor onion services.",
        subcommands: [FetchCommand.self, TorCommand.self])

    public init() {}
}

extension Onionctl {
    /// Parses the process arguments and runs the chosen command (async commands awaited).
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
