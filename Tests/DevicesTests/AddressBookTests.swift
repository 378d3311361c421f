import Devices
import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

final class AddressBookTests: XCTestCase {
    func store(_ name: String) -> AddressBookStore {
        AddressBookStore(directory: makeTemporaryDirectory(name).appendingPathComponent("config/onionctl"))
    }

    func testRoundTripKeepsEveryFieldAndIsReadable() throws {
        let store = store("book-roundtrip")
        let a = try randomOnionAddress(), b = try randomOnionAddress()
        try store.modify { book, _ in
            try book.add(DeviceEntry(name: "thermostat", address: a, kind: .thermostat, notes: "living room \"north\" \\ wall\nline 2 ✓"))
            try book.add(DeviceEntry(name: "pins-1", address: b, port: 8080, kind: .pins))
        }
        let loaded = try store.load()
        XCTAssertEqual(loaded.devices.map(\.name), ["thermostat", "pins-1"])
        XCTAssertEqual(loaded.devices[0].notes, "living room \"north\" \\ wall\nline 2 ✓")
        XCTAssertEqual(loaded.devices[1].port, 8080)
        XCTAssertEqual(loaded.devices[1].kind, .pins)
        XCTAssertEqual(loaded.devices[0].address, a)
        let text = try String(contentsOf: store.bookFile, encoding: .utf8)
        XCTAssertTrue(text.contains("schema = 1\n"))
        XCTAssertTrue(text.contains("[devices.thermostat]\nonion = \"\(a)\"\nport = 80\nkind = \"thermostat\"\n"), text)
        XCTAssertEqual(try AddressBookFormat.parse(AddressBookFormat.serialize(loaded), path: "x"), loaded)
        // Hand-written variations: comments, spacing, integer port, trailing comments.
        let hand = "# mine\n  schema = 1   # v1\n\n[devices.t]   # the thermostat\n  onion=\"\(a.base32)\"\nport =  81 # odd\n"
        let parsed = try AddressBookFormat.parse(hand, path: "hand.toml")
        XCTAssertEqual(parsed.devices, [DeviceEntry(name: "t", address: a, port: 81, kind: .http)])
    }

    func testFilesArePrivateAndAFolderIsTightened() throws {
        let store = store("book-perms")
        try FileManager.default.createDirectory(at: store.directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let address = try randomOnionAddress()
        try store.modify { book, changes in
            try book.add(DeviceEntry(name: "d", address: address))
            changes.setKey(ClientAuthKey.generate(for: address), for: "d")
        }
        func mode(_ url: URL) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        XCTAssertEqual(try mode(store.directory), 0o700)
        XCTAssertEqual(try mode(store.keysDirectory), 0o700)
        XCTAssertEqual(try mode(store.bookFile), 0o600)
        XCTAssertEqual(try mode(store.keyFile(for: "d")), 0o600)
        XCTAssertEqual(try mode(store.lockFile), 0o600)
        XCTAssertNotNil(try store.key(for: try store.load().require("d")))
    }

    func testCorruptFileIsReportedWithPathAndLineAndNeverOverwritten() throws {
        let store = store("book-corrupt")
        let address = try randomOnionAddress()
        try store.modify { book, _ in try book.add(DeviceEntry(name: "a", address: address)) }
        let cases: [(String, Int)] = [
            ("schema = 1\n\n[devices.a]\nonion = \"\(address)\"\nport = \"eighty\"\n", 5),
            ("schema = 1\n[devices.a]\nonion = \"\(address)\n", 3),
            ("schema = 1\n[devices.a]\nonion = \"\(address)\"\ncolour = \"red\"\n", 4),
            ("schema = 1\n[devices.a]\nonion = \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab.onion\"\n", 3),
            ("schema = 1\n[devices.a]\nonion = \"\(address)\"\n[devices.a]\nonion = \"\(address)\"\n", 4),
            ("[devices.a]\nonion = \"\(address)\"\n", 1),
            ("schema = 1\n[devices.a b]\n", 2),
            ("schema = 1\n[devices.a]\nport = 80\n", 2),
        ]
        for (text, line) in cases {
            try Data(text.utf8).write(to: store.bookFile)
            XCTAssertThrowsError(try store.load(), text) { error in
                XCTAssertEqual((error as? AddressBookError).flatMap { if case let .corrupt(_, line, _) = $0 { line } else { nil } }, line, "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("\(store.bookFile.path):\(line): "), "\(error)")
            }
            XCTAssertThrowsError(try store.modify { book, _ in try book.add(DeviceEntry(name: "b", address: try randomOnionAddress())) })
            XCTAssertEqual(try String(contentsOf: store.bookFile, encoding: .utf8), text, "never overwritten")
        }
    }

    func testNewerSchemaIsRefusedAndKept() throws {
        let store = store("book-newer")
        try store.ensureParent()
        let text = "# from the future\nschema = 2\n[devices.x]\nonion = \"whatever\"\nfuture = true\n"
        try Data(text.utf8).write(to: store.bookFile)
        XCTAssertThrowsError(try store.load()) { error in
            XCTAssertEqual(error as? AddressBookError, .newerSchema(path: store.bookFile.path, line: 2, found: 2, supported: 1))
            XCTAssertTrue("\(error)".contains("upgrade onionctl"))
        }
        XCTAssertThrowsError(try store.modify { book, _ in book.devices.removeAll() })
        XCTAssertEqual(try String(contentsOf: store.bookFile, encoding: .utf8), text)
    }

    func testRenameMovesTheKeyAndRemoveDeletesIt() throws {
        let store = store("book-rename")
        let address = try randomOnionAddress()
        let key = ClientAuthKey.generate(for: address)
        try store.modify { book, changes in
            try book.add(DeviceEntry(name: "old", address: address))
            changes.setKey(key, for: "old")
        }
        try store.modify { book, changes in
            try book.rename("old", to: "new")
            changes.moveKey(from: "old", to: "new")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.keyFile(for: "old").path))
        XCTAssertEqual(try store.key(for: try store.load().require("new"))?.clientLine, key.clientLine)
        XCTAssertThrowsError(try store.load().require("old")) { XCTAssertEqual(($0 as? AddressBookError)?.kind, "no-such-device") }
        try store.modify { book, changes in
            try book.remove("new")
            changes.deleteKey(for: "new")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.keyFile(for: "new").path))
        XCTAssertEqual(try store.load().devices, [])
    }

    func testDuplicatesAndBadNamesAreRefused() throws {
        var book = AddressBook()
        let address = try randomOnionAddress()
        try book.add(DeviceEntry(name: "a", address: address))
        XCTAssertThrowsError(try book.add(DeviceEntry(name: "a", address: try randomOnionAddress())))
        XCTAssertThrowsError(try book.add(DeviceEntry(name: "b", address: address)))
        for bad in ["", "-x", "a.b", "a b", "x/y", String(repeating: "n", count: 65), "é"] {
            XCTAssertThrowsError(try book.add(DeviceEntry(name: bad, address: try randomOnionAddress())), bad)
        }
        XCTAssertEqual(DeviceEntry.sanitizedName("my thermostat.auth"), "my-thermostat-auth")
    }

    /// Two real processes add 50 devices each at the same time: all 100 survive.
    func testTwoProcessesAddingConcurrentlyLoseNothing() throws {
        let sandbox = Sandbox("book-concurrent")
        let binary = try onionctlBinary()
        var scripts: [URL] = []
        for process in 0..<2 {
            var lines = ""
            for index in 0..<50 {
                lines += "p\(process)-\(index) \(try randomOnionAddress().base32)\n"
            }
            let list = sandbox.root.appendingPathComponent("list\(process)")
            try Data(lines.utf8).write(to: list)
            scripts.append(list)
        }
        let children = scripts.map { list -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "while read name onion; do \"$0\" add \"$name\" \"$onion\" >/dev/null || exit 1; done < \"$1\"", binary, list.path]
            process.environment = sandbox.environment
            return process
        }
        for child in children { try child.run() }
        let deadline = Date().addingTimeInterval(120)
        while children.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) }
        for child in children { child.waitUntilExit() }
        XCTAssertEqual(children.map(\.terminationStatus), [0, 0])
        let book = try AddressBookStore(directory: sandbox.bookDirectory).load()
        XCTAssertEqual(book.devices.count, 100)
        XCTAssertEqual(Set(book.devices.map(\.name)).count, 100)
    }
}

extension AddressBookStore {
    func ensureParent() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
}
