import ArgumentParser

/// The `onionctl` command line. With no subcommand it opens the dashboard.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct Onionctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "onionctl",
        abstract: "Control your own devices directly through Tor onion services.",
        discussion: """
            The address book is $XDG_CONFIG_HOME/onionctl/devices.toml (default ~/.config/onionctl); client-authorization \
            keys are keys/<name>.auth_private beside it. --network FILE (or $ONIONCTL_NETWORK) selects a private Tor network.
            Shell completion: onionctl --generate-completion-script bash|zsh|fish.

            \(ExitCodes.help)
            """,
        subcommands: [
            ListCommand.self, AddCommand.self, RemoveCommand.self, RenameCommand.self,
            StatusCommand.self, GetCommand.self, SetCommand.self, PinsCommand.self, ToggleCommand.self,
            KeyCommand.self, ImportCommand.self, ExportCommand.self,
            FetchCommand.self, TorCommand.self, DashboardCommand.self,
            ProxyCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self)

    public init() {}
}

extension Onionctl {
    /// Parses the process arguments, runs the chosen command and exits with its documented code
    /// (see ``runOnionctl(_:)``).
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        await runOnionctl(arguments)
    }
}
