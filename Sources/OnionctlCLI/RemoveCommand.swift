import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl remove NAME`: forget a device and its key.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a device (and its client-authorization key) from the address book.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The device.")
    var name: String

    @Flag(name: [.short, .long], help: "Do not ask for confirmation (needed when not on a terminal).")
    var yes = false

    func run() async throws {
        try await reporting(json: global.json) {
            let store = AddressBookStore.standard()
            let entry = try store.load().require(name)
            let hasKey = FileManager.default.fileExists(atPath: store.keyFile(for: name).path)
            if !yes {
                guard try confirm("Remove '\(name)' (\(entry.address))\(hasKey ? " and its client-authorization key" : "")?") else {
                    // Answering no is a choice, not a failure.
                    struct Kept: Encodable { var name: String; var kept = true }
                    if global.json { try printJSON(Kept(name: name)) } else { say("kept \(name)") }
                    return
                }
            }
            let removed = try store.modify { book, changes in
                let removed = try book.remove(name)
                changes.deleteKey(for: name)
                return removed
            }
            struct Output: Encodable { var removed: DeviceEntry; var keyDeleted: Bool }
            if global.json { try printJSON(Output(removed: removed, keyDeleted: hasKey)) } else {
                say("removed \(name)\(hasKey ? " and its key" : "")")
            }
        }
    }
}
