import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl status [NAME…]`: every device checked at once.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Check devices concurrently (one request each) and show what they report.",
        discussion: "Exits 0 when every device answered; otherwise with the code of the first device that did not (6 offline, 5 client authorization, …).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Devices to check (default: all).")
    var names: [String] = []

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entries = names.isEmpty ? context.book.devices : try names.map { try context.require($0) }
            guard !entries.isEmpty else {
                throw CLIError.usage("the address book is empty; add a device with onionctl add NAME ONION")
            }
            let statuses = try await withService(context, entries, global: global, connection: connection) { service in
                if !global.json && !connection.verbose {
                    StandardStreams.err("checking \(entries.count) device\(entries.count == 1 ? "" : "s")…\n")
                }
                return try await service.status()
            }
            if global.json {
                try printJSON(statuses)
            } else {
                let width = max(4, statuses.map(\.name.count).max() ?? 4)
                for status in statuses {
                    var line = status.name.paddedOrCut(to: width) + "  "
                    line += status.state.rawValue.paddedOrCut(to: 12)
                    line += status.seconds.fixed(1).leftPadded(to: 6) + "s  "
                    line += status.state == .online ? (status.summary ?? "") : (status.error ?? status.summary ?? "")
                    say(line)
                }
            }
            if let failed = statuses.first(where: { $0.state != .online }) {
                throw ExitCode(code(for: failed))
            }
        }
    }

    /// The exit code of a device that did not answer as expected: the same mapping as every command's.
    private func code(for status: DeviceStatus) -> Int32 {
        status.failure.map(onionctlExitCode(for:)) ?? ExitCodes.unexpected
    }
}
