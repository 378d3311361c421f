import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl rename OLD NEW`.
struct RenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a device (its key file follows).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Current name.")
    var old: String

    @Argument(help: "New name.")
    var new: String

    func run() async throws {
        try await reporting(json: global.json) {
            try AddressBookStore.standard().modify { book, changes in
                try book.rename(old, to: new)
                changes.moveKey(from: old, to: new)
            }
            struct Output: Encodable { var name: String; var previousName: String }
            if global.json { try printJSON(Output(name: new, previousName: old)) } else { say("renamed \(old) to \(new)") }
        }
    }
}
