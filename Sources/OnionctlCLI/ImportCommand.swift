import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
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

    @Flag(name: .long, help: "Replace a device's different existing key (the old one is kept as keys/NAME.auth_private.replaced-DATE).")
    var force = false

    /// One imported key: `action` is key-added, key-unchanged, key-replaced (with `backup`) or device-added.
    struct Row: Encodable { var name: String; var onion: String; var action: String; var backup: String? = nil }

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
            let store = AddressBookStore.standard()
            let replace = force
            let rows = try store.modify { book, changes throws -> [Row] in
                var rows: [Row] = []
                for (source, key) in found {
                    if let entry = book.device(for: key.address) {
                        guard changes.hasKey(entry.name) else {
                            changes.setKey(key, for: entry.name)
                            rows.append(Row(name: entry.name, onion: key.address.description, action: "key-added"))
                            continue
                        }
                        let current = try? store.key(for: entry)
                        if current?.clientLine == key.clientLine {
                            rows.append(Row(name: entry.name, onion: key.address.description, action: "key-unchanged"))
                            continue
                        }
                        guard replace else {
                            throw CLIError.usage("\(entry.name) already has a different key (\(store.keyFile(for: entry.name).path)); "
                                + "pass --force to replace it (the old key is kept as a backup file)")
                        }
                        let backup = changes.backupKey(for: entry.name)
                        changes.setKey(key, for: entry.name)
                        rows.append(Row(name: entry.name, onion: key.address.description, action: "key-replaced", backup: backup.path))
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
                    rows.append(Row(name: name, onion: key.address.description, action: "device-added"))
                }
                return rows
            }
            if global.json { try printJSON(rows) } else {
                for row in rows {
                    say("\(row.action.paddedOrCut(to: 13))  \(row.name)  \(row.onion)"
                        + (row.backup.map { "  (old key kept in \($0))" } ?? ""))
                }
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
            let folder = url.deletingLastPathComponent()
            var isFolder = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder else {
                throw CLIError.usage("cannot write \(url.path): the folder \(folder.path) does not exist; create it first (mkdir -p \(folder.path))")
            }
            do { try AtomicFile.write(Data(content.utf8), to: url, permissions: 0o600) } catch {
                let reason = access(folder.path, W_OK) == 0 ? "\(error)" : "you may not write into \(folder.path) (\(String(cString: strerror(errno))))"
                throw AddressBookError.io(path: url.path, detail: "cannot write: \(reason)")
            }
            struct Output: Encodable { var name: String; var onion: String; var file: String }
            if global.json { try printJSON(Output(name: name, onion: entry.address.description, file: url.path)) } else {
                say("wrote \(url.path)")
            }
        }
    }
}
