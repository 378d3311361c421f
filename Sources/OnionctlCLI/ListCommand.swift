import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl list`: the address book.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the devices in the address book.",
        discussion: "The address book is $XDG_CONFIG_HOME/onionctl/devices.toml (default ~/.config/onionctl); keys are in keys/<name>.auth_private.")

    @OptionGroup var global: GlobalOptions

    struct Row: Encodable {
        var name: String, onion: String, port: UInt16, kind: DeviceKind, notes: String
        /// Whether a client-authorization key is stored (never the key itself).
        var key: Bool
    }

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let rows = context.book.devices.map { entry in
                Row(name: entry.name, onion: entry.address.description, port: entry.port, kind: entry.kind, notes: entry.notes,
                    key: FileManager.default.fileExists(atPath: context.store.keyFile(for: entry.name).path))
            }
            if global.json { try printJSON(rows); return }
            if rows.isEmpty {
                say("No devices yet. Add one with: onionctl add NAME ONION [--kind thermostat|pins|http]")
                return
            }
            let width = max(4, rows.map(\.name.count).max() ?? 4)
            say("NAME".paddedOrCut(to: width) + "  KIND        KEY  ADDRESS")
            for row in rows {
                var line = row.name.paddedOrCut(to: width) + "  "
                line += row.kind.rawValue.paddedOrCut(to: 10) + "  "
                line += (row.key ? "yes" : "-  ") + "  " + row.onion + (row.port == 80 ? "" : ":\(row.port)")
                if !row.notes.isEmpty { line += "  # " + row.notes }
                say(line)
            }
        }
    }
}
