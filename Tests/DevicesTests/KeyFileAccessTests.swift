import Devices
import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

/// Issue 11: private keys are read only from files and folders no one else can read.
final class KeyFileAccessTests: XCTestCase {
    private func file(_ folder: URL, _ name: String, _ text: String, mode: mode_t) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        XCTAssertEqual(chmod(url.path, mode), 0)
        return url.path
    }

    func testOnlyOwnerOnlyFilesAreRead() throws {
        let folder = makeTemporaryDirectory("keyaccess")
        XCTAssertEqual(chmod(folder.path, 0o700), 0)
        for mode: mode_t in [0o600, 0o400, 0o700] {
            let path = try file(folder, "ok\(mode).auth_private", "secret\n", mode: mode)
            XCTAssertEqual(try KeyFileAccess.read(path), "secret\n", "mode \(String(mode, radix: 8))")
        }
        for mode: mode_t in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o610] {
            let path = try file(folder, "loose\(mode).auth_private", "secret\n", mode: mode)
            XCTAssertThrowsError(try KeyFileAccess.read(path), "mode \(String(mode, radix: 8))") { error in
                guard case let .unprotected(refused) = error as? KeyFileAccess.Failure else { return XCTFail("\(error)") }
                XCTAssertEqual(refused.path, path)
                XCTAssertEqual(refused.mode, UInt32(mode))
                XCTAssertFalse(refused.isFolder)
                XCTAssertEqual(refused.fixCommand, "chmod 600 \(path)")
                XCTAssertTrue(refused.description.contains("mode 0\(String(mode, radix: 8))"), refused.description)
                XCTAssertTrue(refused.description.hasSuffix("Fix it with: chmod 600 \(path)"), refused.description)
            }
        }
        XCTAssertNil(try KeyFileAccess.read(folder.appendingPathComponent("missing").path))
        XCTAssertThrowsError(try KeyFileAccess.read(folder.path)) { error in
            guard case .unreadable = error as? KeyFileAccess.Failure else { return XCTFail("\(error)") }
        }
    }

    /// Only regular files are read: a FIFO (which could block or feed anything) is refused without a read.
    func testNothingIsReadFromAnUnprotectedFile() throws {
        let folder = makeTemporaryDirectory("keyaccess-fifo")
        let fifo = folder.appendingPathComponent("pipe.auth_private").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // A FIFO is not a regular file: refused without blocking on a read.
        XCTAssertThrowsError(try KeyFileAccess.read(fifo)) { error in
            XCTAssertEqual(error as? KeyFileAccess.Failure, .unreadable(path: fifo, detail: "is not a regular file"))
        }
    }

    func testFoldersMustBeOwnerOnly() throws {
        let folder = makeTemporaryDirectory("keyaccess-folder")
        XCTAssertEqual(chmod(folder.path, 0o700), 0)
        XCTAssertTrue(try KeyFileAccess.checkFolder(folder.path))
        XCTAssertFalse(try KeyFileAccess.checkFolder(folder.appendingPathComponent("none").path))
        for mode: mode_t in [0o755, 0o750, 0o710, 0o701, 0o770, 0o777] {
            XCTAssertEqual(chmod(folder.path, mode), 0)
            XCTAssertThrowsError(try KeyFileAccess.checkFolder(folder.path)) { error in
                guard case let .unprotected(refused) = error as? KeyFileAccess.Failure else { return XCTFail("\(error)") }
                XCTAssertTrue(refused.isFolder)
                XCTAssertEqual(refused.fixCommand, "chmod 700 \(folder.path)")
            }
        }
        XCTAssertEqual(chmod(folder.path, 0o700), 0)
    }

    func testFixCommandQuotesPathsForTheShell() {
        XCTAssertEqual(UnprotectedKeyError(path: "/a/b-c_d.auth_private", mode: 0o644, isFolder: false).fixCommand,
                       "chmod 600 /a/b-c_d.auth_private")
        XCTAssertEqual(UnprotectedKeyError(path: "/a/front door.auth_private", mode: 0o644, isFolder: false).fixCommand,
                       "chmod 600 '/a/front door.auth_private'")
        XCTAssertEqual(UnprotectedKeyError(path: "/a/it's", mode: 0o755, isFolder: true).fixCommand, #"chmod 700 '/a/it'\''s'"#)
    }

    /// The address book's own key store: a loose key file or key folder is refused, typed, and the
    /// (non-secret) address book is still readable and untouched.
    func testTheStoreRefusesUnprotectedKeysAndKeepsTheBook() throws {
        let store = AddressBookStore(directory: makeTemporaryDirectory("keyaccess-store").appendingPathComponent("onionctl"))
        let address = try OnionAddress(publicKey: Ed25519PrivateKey.generate().publicKey)
        let key = ClientAuthKey.generate(for: address)
        try store.modify { book, changes in
            try book.add(DeviceEntry(name: "door", address: address, kind: .http))
            changes.setKey(key, for: "door")
        }
        let entry = try store.load().require("door")
        XCTAssertEqual(try store.key(for: entry)?.address, address)
        let bookBytes = try Data(contentsOf: store.bookFile)

        XCTAssertEqual(chmod(store.keyFile(for: "door").path, 0o640), 0)
        XCTAssertThrowsError(try store.key(for: entry)) { error in
            guard case let .unprotectedKey(refused) = error as? AddressBookError else { return XCTFail("\(error)") }
            XCTAssertEqual(refused.path, store.keyFile(for: "door").path)
            XCTAssertEqual(refused.mode, 0o640)
            XCTAssertEqual((error as? AddressBookError)?.kind, "unprotected-key")
        }
        let (keys, problems) = store.keys(for: try store.load())
        XCTAssertTrue(keys.isEmpty)
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(try store.load().devices.map(\.name), ["door"], "the address book is still usable")
        XCTAssertEqual(try Data(contentsOf: store.bookFile), bookBytes, "and untouched")

        XCTAssertEqual(chmod(store.keyFile(for: "door").path, 0o600), 0)
        XCTAssertEqual(chmod(store.keysDirectory.path, 0o755), 0)
        XCTAssertThrowsError(try store.key(for: entry)) { error in
            guard case let .unprotectedKey(refused) = error as? AddressBookError else { return XCTFail("\(error)") }
            XCTAssertTrue(refused.isFolder)
            XCTAssertEqual(refused.fixCommand, "chmod 700 \(store.keysDirectory.path)")
        }
        XCTAssertEqual(chmod(store.keysDirectory.path, 0o700), 0)
        XCTAssertEqual(try store.key(for: entry)?.address, address)
        XCTAssertEqual(try Data(contentsOf: store.bookFile), bookBytes)
    }
}
