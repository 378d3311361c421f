import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionctlUI

/// `onionctl` with no subcommand: the terminal dashboard over the address book's devices.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the terminal dashboard (the default when onionctl runs with no command).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Theme: default, light, high-contrast, monochrome, or a .toml file (also $ONIONCTL_THEME).")
    var theme: String?

    @Option(help: "Colour: auto, always or never (NO_COLOR is respected).")
    var color: String = "auto"

    @Flag(help: "Draw lines and charts with ASCII only.")
    var ascii = false

    @Option(help: ArgumentHelp("Also run the SOCKS proxy (as onionctl proxy) on this loopback address, on the dashboard's Tor client; the dashboard shows its streams.", valueName: "HOST:PORT"))
    var proxy: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let choice = ColorChoice(rawValue: color) else {
            throw CLIError.usage("--color must be auto, always or never")
        }
        let options = DashboardOptions(theme: theme ?? environment["ONIONCTL_THEME"] ?? "default", color: choice, ascii: ascii)
        var proxyListen: ListenAddress?
        if let proxy {
            let address = try ListenAddress(proxy)
            guard address.isLoopback else {
                throw CLIError.usage("--proxy \(proxy): the dashboard's proxy listens on loopback only (onionctl proxy --allow-non-loopback serves other addresses)")
            }
            proxyListen = address
        }
        let backend = LiveDashboardBackend(store: AddressBookStore.standard(), configuration: try global.torConfiguration(directoryPatience: GlobalOptions.longRunningDirectoryPatience),
                                           proxyListen: proxyListen)
        await backend.start()
        do {
            try await runDashboard(backend: backend, options: options)
        } catch {
            await backend.stop()
            throw CommandFailure(message: "\(error)", code: ExitCodes.invalidInput, kind: "invalid-input")
        }
        await backend.stop()
    }
}
