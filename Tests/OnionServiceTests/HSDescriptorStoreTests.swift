import Foundation
@testable import OnionService
import XCTest

/// The on-disk descriptor store (issue 15, warm start): what it gives back, and that every file it
/// cannot vouch for (another period, expired, damaged, another service's) is removed, not used.
final class HSDescriptorStoreTests: XCTestCase {
    private let address = try! OnionAddress("paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad.onion")
    private let other = try! OnionAddress("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion")
    private let period = TimePeriod(number: 19_000, lengthMinutes: 1440)
    private let text = Array("hs-descriptor 3\ndescriptor-lifetime 180\n".utf8)
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func makeStore() throws -> HSDescriptorStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsdesc-store-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return HSDescriptorStore(directory: folder.appendingPathComponent("hs-descriptors"))
    }

    func testASavedDescriptorComesBackForItsPeriodUntilItExpires() throws {
        let store = try makeStore()
        let expires = now.addingTimeInterval(3600)
        XCTAssertTrue(store.save(text, for: address, period: period, revision: 7, expires: expires))
        let loaded = try XCTUnwrap(store.load(address, period: period, now: now))
        XCTAssertEqual(loaded.text, text)
        XCTAssertEqual(loaded.expires.timeIntervalSince1970, expires.timeIntervalSince1970, accuracy: 0.001)
        XCTAssertNil(store.load(other, period: period, now: now), "another service has nothing stored")
        let mode = try FileManager.default.attributesOfItem(atPath: store.file(for: address).path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testADescriptorForAnotherPeriodIsRemoved() throws {
        let store = try makeStore()
        store.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(3600))
        let next = TimePeriod(number: period.number + 1, lengthMinutes: period.lengthMinutes)
        XCTAssertNil(store.load(address, period: next, now: now))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.file(for: address).path))
        XCTAssertNil(store.load(address, period: period, now: now), "gone for its own period too")
    }

    func testAnExpiredDescriptorIsRemoved() throws {
        let store = try makeStore()
        store.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(60))
        XCTAssertNil(store.load(address, period: period, now: now.addingTimeInterval(61)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.file(for: address).path))
    }

    func testADamagedFileIsRemoved() throws {
        let store = try makeStore()
        store.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(3600))
        let url = store.file(for: address)
        var data = try Data(contentsOf: url)
        data.removeLast(data.count / 2)
        try data.write(to: url)
        XCTAssertNil(store.load(address, period: period, now: now))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testAFileCopiedUnderAnotherServicesNameIsRemoved() throws {
        let store = try makeStore()
        store.save(text, for: other, period: period, revision: 7, expires: now.addingTimeInterval(3600))
        try FileManager.default.copyItem(at: store.file(for: other), to: store.file(for: address))
        XCTAssertNil(store.load(address, period: period, now: now))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.file(for: address).path))
        XCTAssertNotNil(store.load(other, period: period, now: now))
    }

    /// A device removed from the address book is never asked for again: its expired file goes when
    /// a client starts, with damaged files; usable ones and files that are not the store's stay.
    func testRemoveStaleClearsExpiredAndDamagedFilesOnly() throws {
        let store = try makeStore()
        store.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(3600))
        store.save(text, for: other, period: period, revision: 7, expires: now.addingTimeInterval(60))
        let damaged = store.directory.appendingPathComponent("damaged.json")
        try Data("{".utf8).write(to: damaged)
        let unrelated = store.directory.appendingPathComponent("README")
        try Data("not a descriptor".utf8).write(to: unrelated)
        // Writes that never finished: one from two hours ago goes, one under way now stays.
        let abandoned = store.directory.appendingPathComponent(".\(address.description).json.tmp-1-2")
        let underWay = store.directory.appendingPathComponent(".\(other.description).json.tmp-3-4")
        try Data("{".utf8).write(to: abandoned)
        try Data("{".utf8).write(to: underWay)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-7200)], ofItemAtPath: abandoned.path)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(60)], ofItemAtPath: underWay.path)
        XCTAssertEqual(store.removeStale(now: now.addingTimeInterval(120)), 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: underWay.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.file(for: address).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.file(for: other).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: damaged.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: unrelated.path))
        XCTAssertNotNil(store.load(address, period: period, now: now.addingTimeInterval(120)))
        XCTAssertEqual(HSDescriptorStore(directory: store.directory.appendingPathComponent("none")).removeStale(now: now), 0)
    }

    func testRemoveForgetsAndAnUnwritableFolderIsNotAnError() throws {
        let store = try makeStore()
        store.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(3600))
        store.remove(address)
        XCTAssertNil(store.load(address, period: period, now: now))
        // The store's folder is a regular file: saving fails quietly (the next process fetches).
        let blocked = HSDescriptorStore(directory: store.file(for: other))
        try Data("x".utf8).write(to: store.file(for: other))
        XCTAssertFalse(blocked.save(text, for: address, period: period, revision: 7, expires: now.addingTimeInterval(3600)))
    }
}
