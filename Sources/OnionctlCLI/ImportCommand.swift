import ArgumentParser
import Devices
import Foundation
import OnionService
import TorCircuits

/// `onionctl import FILE|DIR`: keys from tor's client side.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import client-authorization keys: a tor .auth_private file or a whole ClientOnionAuthDir.",
        discussion: """
            A key for an onion already in the address book is attached to that device; otherwise a device is \
            created, named after the file (thermostat.auth_private → thermostat), with --kind (default http).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A <name>.auth_private file or a folder of them.")
    var path: String

    @Option(help: "Kind of devices created by the import.")
    var kind: DeviceKind = .http

    struct Row: Encodable { var device: String; var onion: String; var action: String }

    func run() async throws {
        try await reporting(json: global.json) {
            var found: [(source: String, key: ClientAuthKey)] = []
            var problems = 0
            // Unprotected key files or folders are refused before anything is read (exit 10).
            let (isFolder, sources) = try ClientAuthLoading.read(path)
            for source in sources {
                switch source.keys {
                case let .success(keys): found += keys.map { (source.name, $0) }
                case let .failure(error):
                    if !isFolder || error is UnprotectedKeyError { throw error }
                    warn("\(error) (skipped)")
                    problems += 1
                }
            }
            if isFolder && found.isEmpty {
                throw CLIError.usage("\(path) contains no usable .auth_private file")
            }
            let chosenKind = kind
            let rows = try AddressBookStore.standard().modify { book, changes throws -> [Row] in
                var rows: [Row] = []
                for (source, key) in found {
                    if let entry = book.device(for: key.address) {
                        let had = changes.hasKey(entry.name)
                        changes.setKey(key, for: entry.name)
                        rows.append(Row(device: entry.name, onion: key.address.description, action: had ? "key-replaced" : "key-added"))
                        continue
                    }
                    var base = source
                    if base.hasSuffix(".auth_private") { base.removeLast(".auth_private".count) }
                    let stem = DeviceEntry.sanitizedName(base) ?? "device"
                    var name = stem
                    var suffix = 2
                    while book.device(named: name) != nil || changes.hasKey(name) {
                        name = "\(stem.prefix(60))-\(suffix)"
                        suffix += 1
                    }
                    try book.add(DeviceEntry(name: name, address: key.address, kind: chosenKind))
                    changes.setKey(key, for: name)
                    rows.append(Row(device: name, onion: key.address.description, action: "device-added"))
                }
                return rows
            }
            if global.json { try printJSON(rows) } else {
                for row in rows { say("\(row.action.padding(toLength: 13, withPad: " ", startingAt: 0))  \(row.device)  \(row.onion)") }
            }
            if problems > 0 { throw ExitCode(ExitCodes.invalidInput) }
        }
    }
}

/// `onionctl export DEVICE [--output FILE]`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a device's key as a tor .auth_private file (for tor's ClientOnionAuthDir).",
        discussion: "Without --output the line is printed on stdout (it is secret). With --json, --output is required and the key is not printed.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The device.")
    var name: String

    @Option(name: [.short, .long], help: "File to write (0600); e.g. /var/lib/tor/onion_auth/NAME.auth_private.")
    var output: String?

    @Flag(name: .long, help: "Overwrite an existing file.")
    var force = false

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            guard let key = try context.store.key(for: entry) else {
                throw DeviceError.invalidValue("\(name) has no client-authorization key to export")
            }
            let content = key.clientLine + "\n"
            guard let output else {
                if global.json { throw CLIError.usage("with --json, give --output FILE (keys are not printed in JSON)") }
                StandardStreams.out(content)
                return
            }
            let url = URL(fileURLWithPath: output)
            if FileManager.default.fileExists(atPath: url.path) && !force {
                throw CLIError.usage("\(output) exists; pass --force to overwrite it")
            }
            do { try AtomicFile.write(Data(content.utf8), to: url, permissions: 0o600) } catch {
                throw AddressBookError.io(path: url.path, detail: "cannot write: \(error.localizedDescription)")
            }
            struct Output: Encodable { var device: String; var onion: String; var file: String }
            if global.json { try printJSON(Output(device: name, onion: entry.address.description, file: url.path)) } else {
                say("wrote \(url.path)")
            }
        }
    }
}
