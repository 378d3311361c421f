import Devices
import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

/// Issue 8 (secrets): a full session with a client-authorization key leaves the key in no output,
/// log, cache or state file, in any encoding; and unprotected key files are refused.
final class SecretsEndToEndTests: XCTestCase {
    func testKeyAppearsNowhereOnionctlWritesDuringAFullSession() throws {
        let network = try TestNetwork.shared()
        let sandbox = Sandbox("secrets")
        let thermostat = try network.device("thermostat")
        let keyFile = try XCTUnwrap(thermostat.auth_private_file)
        let key = try XCTUnwrap(try ClientAuthDirectory.parseFile(String(contentsOfFile: keyFile, encoding: .utf8)).first)
        let raw = key.privateKey.rawRepresentation
        // Every spelling the key could leak in.
        let needles = [Base32.encode(raw, uppercase: true), Base32.encode(raw), Base64.encode(raw), Base64.encode(raw, padding: false),
                       raw.map { String(format: "%02x", $0) }.joined(), raw.map { String(format: "%02X", $0) }.joined()]
        var transcript = ""
        let net = ["--network", network.networkFile.path]
        let session: [[String]] = [
            ["add", "thermostat", thermostat.onion, "--kind", "thermostat"],
            ["import", keyFile],
            ["list"], ["list", "--json"],
            ["status", "-v"] + net, ["status", "--json"] + net,
            ["get", "thermostat", "-v"] + net, ["get", "thermostat", "--json"] + net,
            ["set", "thermostat", "setpoint", "21.5", "-v"] + net, ["set", "thermostat", "mode", "heat", "--json"] + net,
            ["set", "thermostat", "setpoint", "99"] + net,
            ["fetch", "-v", "-i", "http://\(thermostat.onion)/api/v1/thermostat"] + net,
            ["key", "show", "thermostat"], ["key", "show", "thermostat", "--json"],
            ["tor", "bootstrap", "--json"] + net,
        ]
        for arguments in session {
            let result = try sandbox.run(arguments)
            transcript += result.stdout + result.stderr
        }
        XCTAssertTrue(transcript.contains("21.5"), "the session really talked to the device")
        // Everything written outside the key store: cache (consensus, microdescs), state (guards), book.
        var written = transcript
        let keyStore = sandbox.bookDirectory.appendingPathComponent("keys").path
        let enumerator = FileManager.default.enumerator(at: sandbox.root, includingPropertiesForKeys: nil)
        var filesChecked = 0
        while let url = enumerator?.nextObject() as? URL {
            guard !url.path.hasPrefix(keyStore), let data = try? Data(contentsOf: url) else { continue }
            written += String(decoding: data, as: UTF8.self)
            filesChecked += 1
            XCTAssertNil(data.range(of: Data(raw)), "raw key bytes in \(url.path)")
        }
        XCTAssertGreaterThanOrEqual(filesChecked, 4, "cache, state and address book files were checked")
        for needle in needles {
            XCTAssertFalse(written.contains(needle), "the key leaked as '\(needle.prefix(6))…'")
        }
        // Asked for explicitly, it is shown.
        let revealed = try sandbox.run(["key", "show", "thermostat", "--reveal"])
        XCTAssertTrue((revealed.stdout + revealed.stderr).uppercased().contains(needles[0]), "--reveal shows the key")
    }

    /// Issue 11: a key file or key folder others can read is refused (exit 10) with the exact
    /// chmod that fixes it, nothing is read from it, and the address book is left as it was.
    func testUnprotectedKeyFileAndFolderAreRefused() throws {
        let sandbox = Sandbox("perms")
        let added = try sandbox.run(["add", "lamp", try randomOnionAddress().description, "--kind", "http"])
        XCTAssertEqual(added.code, 0, added.stderr)
        XCTAssertEqual(try sandbox.run(["key", "new", "lamp"]).code, 0)
        let store = AddressBookStore(directory: sandbox.bookDirectory)
        let keyPath = store.keyFile(for: "lamp").path
        XCTAssertNotNil(try store.key(for: try store.load().require("lamp")), "onionctl itself writes 0700 folders and 0600 key files")
        let book = try Data(contentsOf: store.bookFile)

        XCTAssertEqual(chmod(keyPath, 0o644), 0)
        for arguments in [["status", "lamp", "--timeout", "5", "--network", "/dev/null"], ["key", "show", "lamp"], ["export", "lamp"]] {
            let run = try sandbox.run(arguments)
            XCTAssertEqual(run.code, 10, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("key file \(keyPath) is accessible by group or others (mode 0644)"), run.stderr)
            XCTAssertTrue(run.stderr.contains("chmod 600 \(keyPath)"), run.stderr)
            XCTAssertFalse(run.stdout.contains("descriptor:x25519:"), "nothing of the key is shown")
        }
        let json = try sandbox.run(["key", "show", "lamp", "--json"])
        XCTAssertEqual(json.code, 10)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(object["kind"] as? String, "unprotected-key")
        XCTAssertEqual(object["exitCode"] as? Int, 10)
        XCTAssertEqual(try Data(contentsOf: store.bookFile), book, "the address book is neither lost nor rewritten")
        XCTAssertTrue(try sandbox.run(["list"]).stdout.contains("lamp"))

        XCTAssertEqual(chmod(keyPath, 0o600), 0)
        XCTAssertEqual(try sandbox.run(["key", "show", "lamp"]).code, 0, "works again after chmod 600")

        XCTAssertEqual(chmod(store.keysDirectory.path, 0o755), 0)
        let folder = try sandbox.run(["key", "show", "lamp"])
        XCTAssertEqual(folder.code, 10, folder.stderr)
        XCTAssertTrue(folder.stderr.contains("key folder \(store.keysDirectory.path) is accessible by group or others (mode 0755)"), folder.stderr)
        XCTAssertTrue(folder.stderr.contains("chmod 700 \(store.keysDirectory.path)"), folder.stderr)
        XCTAssertEqual(chmod(store.keysDirectory.path, 0o700), 0)
        XCTAssertEqual(try sandbox.run(["key", "show", "lamp"]).code, 0, "works again after chmod 700")
        XCTAssertEqual(try Data(contentsOf: store.bookFile), book)
    }
}
