import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import TorCrypto

/// `onionctl key …`: client-authorization keys.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage a device's client-authorization key (tor's x25519 'descriptor' keys).",
        discussion: "Keys are stored as keys/<name>.auth_private in the address-book folder, in tor's ClientOnionAuthDir format.",
        subcommands: [KeyNewCommand.self, KeyShowCommand.self, KeyRemoveCommand.self])
}

/// What `key new/show` print: the service-side line is public; the private line only on request.
struct KeyOutput: Encodable {
    /// The device's name (`name` in every document, docs/json.md).
    var name: String
    var onion: String
    /// `descriptor:x25519:<public key>` for the device's `authorized_clients/<name>.auth`.
    var authorizedClientsLine: String
    var file: String
    /// Only with `key show --reveal`.
    var authPrivateLine: String?
    /// Where the replaced key was kept (`key new --force`).
    var backup: String?
}

struct KeyNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Make a new x25519 key pair for a device, store the private half, print the line for the device owner.",
        discussion: "Give the printed line to the device owner: it goes into a file ending in .auth in the onion service's authorized_clients/ folder (then reload tor). With --force the old key is kept as keys/NAME.auth_private.replaced-DATE.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The device.")
    var name: String

    @Flag(name: .long, help: "Replace an existing key, keeping the old one as a backup file (it stops working once the owner switches).")
    var force = false

    func run() async throws {
        try await reporting(json: global.json) {
            let store = AddressBookStore.standard()
            let (key, backup) = try store.modify { book, changes throws -> (ClientAuthKey, URL?) in
                let entry = try book.require(name)
                var backup: URL?
                if changes.hasKey(name) {
                    guard force else {
                        throw CLIError.usage("\(name) already has a key; pass --force to replace it (the old key is kept as a backup file)")
                    }
                    backup = changes.backupKey(for: name)
                }
                let key = ClientAuthKey.generate(for: entry.address)
                changes.setKey(key, for: name)
                return (key, backup)
            }
            let output = KeyOutput(name: name, onion: key.address.description, authorizedClientsLine: key.serviceLine,
                                   file: store.keyFile(for: name).path, backup: backup?.path)
            if global.json { try printJSON(output); return }
            StandardStreams.err("""
                Stored the private key in \(output.file).\(backup.map { "\nThe old key is kept in \($0.path)." } ?? "")
                Give this line to the owner of \(name); it goes into authorized_clients/<any name>.auth of the onion service:

                """)
            StandardStreams.out(key.serviceLine + "\n")
        }
    }
}

struct KeyShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a device's key: the public line for the owner, and with --reveal the private .auth_private line.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The device.")
    var name: String

    @Flag(name: .long, help: "Also print the private key line (secret!).")
    var reveal = false

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            guard let key = try context.store.key(for: entry) else {
                throw DeviceError.invalidValue("\(name) has no client-authorization key (onionctl key new \(name), or onionctl import FILE)")
            }
            let output = KeyOutput(name: name, onion: entry.address.description, authorizedClientsLine: key.serviceLine,
                                   file: context.store.keyFile(for: name).path, authPrivateLine: reveal ? key.clientLine : nil)
            if global.json { try printJSON(output); return }
            say("device        \(name) (\(entry.address))")
            say("file          \(output.file)")
            say("public line   \(key.serviceLine)")
            if reveal { say("private line  \(key.clientLine)") }
        }
    }
}

struct KeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a device's stored key.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The device.")
    var name: String

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        try await reporting(json: global.json) {
            let store = AddressBookStore.standard()
            _ = try store.load().require(name)
            guard FileManager.default.fileExists(atPath: store.keyFile(for: name).path) else {
                throw DeviceError.invalidValue("\(name) has no stored key")
            }
            if !yes {
                guard try confirm("Delete the client-authorization key of '\(name)'? Without it the device cannot be reached.") else {
                    // Answering no is a choice, not a failure.
                    struct Kept: Encodable { var name: String; var keyDeleted: Bool }
                    if global.json { try printJSON(Kept(name: name, keyDeleted: false)) } else { say("kept the key of \(name)") }
                    return
                }
            }
            try store.modify { book, changes in
                _ = try book.require(name)
                changes.deleteKey(for: name)
            }
            struct Output: Encodable { var name: String; var keyDeleted: Bool }
            if global.json { try printJSON(Output(name: name, keyDeleted: true)) } else { say("deleted the key of \(name)") }
        }
    }
}
