import Foundation
import XCTest

/// Issue 20 item 11: a key is never lost silently. Replacing one needs --force (`key new` and
/// `import` alike) and keeps the old one as a backup file; importing the same key again says so;
/// errors name the real cause.
final class KeyReplacementTests: XCTestCase {
    private func json(_ result: RunResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) }

    func testReplacingAKeyNeedsForceAndKeepsTheOldOne() throws {
        let sandbox = Sandbox("key-replace")
        XCTAssertEqual(try sandbox.run(["add", "door", try randomOnionAddress().base32]).code, 0)
        XCTAssertEqual(try sandbox.run(["key", "new", "door"]).code, 0)
        let keyFile = sandbox.bookDirectory.appendingPathComponent("keys/door.auth_private")
        let first = try String(contentsOf: keyFile, encoding: .utf8)

        // The same key again: unchanged, no backup, no question.
        let exported = sandbox.root.appendingPathComponent("door.auth_private")
        XCTAssertEqual(try sandbox.run(["export", "door", "--output", exported.path]).code, 0)
        let same = try sandbox.run(["import", exported.path, "--json"])
        XCTAssertEqual(same.code, 0, same.stderr)
        XCTAssertEqual((try json(same) as? [[String: Any]])?.first?["action"] as? String, "key-unchanged", same.stdout)

        // key new without --force: refused; with --force: replaced, the old one kept.
        let refused = try sandbox.run(["key", "new", "door"])
        XCTAssertEqual(refused.code, 2)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        let replaced = try sandbox.run(["key", "new", "door", "--force", "--json"])
        XCTAssertEqual(replaced.code, 0, replaced.stderr)
        let backupPath = try XCTUnwrap((try json(replaced) as? [String: Any])?["backup"] as? String, replaced.stdout)
        XCTAssertEqual(try String(contentsOfFile: backupPath, encoding: .utf8), first, "the old key is kept")
        XCTAssertNotEqual(try String(contentsOf: keyFile, encoding: .utf8), first)
        XCTAssertFalse(backupPath.hasSuffix(".auth_private"), "tor must not load the backup")

        // import of the (now different) old key: refused without --force, then replaced with a backup.
        let second = try String(contentsOf: keyFile, encoding: .utf8)
        let different = try sandbox.run(["import", exported.path, "--json"])
        XCTAssertEqual(different.code, 2, different.stderr)
        XCTAssertEqual((try json(different) as? [String: Any])?["kind"] as? String, "invalid-input")
        XCTAssertEqual(try String(contentsOf: keyFile, encoding: .utf8), second, "nothing replaced without --force")
        let forced = try sandbox.run(["import", exported.path, "--force", "--json"])
        XCTAssertEqual(forced.code, 0, forced.stderr)
        let row = try XCTUnwrap((try json(forced) as? [[String: Any]])?.first, forced.stdout)
        XCTAssertEqual(row["action"] as? String, "key-replaced")
        let importBackup = try XCTUnwrap(row["backup"] as? String)
        XCTAssertEqual(try String(contentsOfFile: importBackup, encoding: .utf8), second)
        XCTAssertEqual(try String(contentsOf: keyFile, encoding: .utf8), first)
    }

    func testExportIntoAMissingFolderSaysSo() throws {
        let sandbox = Sandbox("key-export")
        XCTAssertEqual(try sandbox.run(["add", "door", try randomOnionAddress().base32]).code, 0)
        XCTAssertEqual(try sandbox.run(["key", "new", "door"]).code, 0)
        let missing = sandbox.root.appendingPathComponent("no/such/folder/door.auth_private").path
        let result = try sandbox.run(["export", "door", "--output", missing])
        XCTAssertEqual(result.code, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("does not exist"), result.stderr)
        XCTAssertFalse(result.stderr.contains("permission"), result.stderr)
    }
}
