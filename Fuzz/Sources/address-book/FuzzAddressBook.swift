// Devices.AddressBookFormat: the devices.toml parser. Anything it accepts must survive a round
// trip through the writer unchanged (the address book is rewritten on every change).
import Devices
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddressBook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    guard let book = try? AddressBookFormat.parse(text, path: "fuzz") else { return 0 }
    let written = AddressBookFormat.serialize(book)
    let again = try? AddressBookFormat.parse(written, path: "fuzz-rendered")
    fuzzCheck(again == book, "the address book changed in a write/read round trip")
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzAddressBook) } }
