import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService

/// `onionctl add NAME ONION`: a new device in the address book.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a device to the address book.",
        discussion: "The onion address is checked (its checksum catches typos). Names: 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A name for the device, e.g. thermostat.")
    var name: String

    @Argument(help: "Its v3 onion address (with or without .onion).")
    var onion: String

    @Option(help: "What it speaks: thermostat, pins (code-me-not) or http.")
    var kind: DeviceKind = .http

    @Option(help: "Virtual port of the onion service.")
    var port: UInt16 = 80

    @Option(help: "Free-form notes.")
    var notes: String = ""

    func run() async throws {
        try await reporting(json: global.json) {
            let address: OnionAddress
            do { address = try OnionAddress(onion) } catch {
                throw CLIError.invalidAddress("'\(onion)': \(error)")
            }
            guard port > 0 else { throw CLIError.usage("the port must be 1–65535") }
            let entry = DeviceEntry(name: name, address: address, port: port, kind: kind, notes: notes)
            try AddressBookStore.standard().modify { book, _ in try book.add(entry) }
            if global.json { try printJSON(entry) } else { say("added \(name) (\(kind), \(address))") }
        }
    }
}
