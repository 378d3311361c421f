import Devices
import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

/// Keys move between onionctl and C tor in tor's own file formats.
final class KeyFileTests: XCTestCase {
    /// The tor manual's example key line, as tor's documentation writes it (client side).
    func testImportExportRoundTripOfATorFormatFile() throws {
        let sandbox = Sandbox("keys-roundtrip")
        let address = try randomOnionAddress()
        let key = ClientAuthKey.generate(for: address)
        // Exactly what tor reads in ClientOnionAuthDir: <56 chars>:descriptor:x25519:<52 base32 chars>\n
        let torLine = "\(address.base32):descriptor:x25519:\(Base32.encode(key.privateKey.rawRepresentation, uppercase: true))\n"
        let folder = sandbox.root.appendingPathComponent("onion_auth")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let keyFile = folder.appendingPathComponent("front door.auth_private")
        try Data(torLine.utf8).write(to: keyFile)
        try Data("not a key\n".utf8).write(to: folder.appendingPathComponent("junk.txt"))

        // Unprotected (a 0755 folder, a 0644 file) is refused with the exact fix; nothing is imported.
        XCTAssertEqual(chmod(folder.path, 0o755), 0)
        XCTAssertEqual(chmod(keyFile.path, 0o644), 0)
        let loose = try sandbox.run(["import", folder.path])
        XCTAssertEqual(loose.code, 10, loose.stderr)
        XCTAssertTrue(loose.stderr.contains("chmod 700 \(folder.path)"), loose.stderr)
        XCTAssertEqual(chmod(folder.path, 0o700), 0)
        let looseFile = try sandbox.run(["import", folder.path])
        XCTAssertEqual(looseFile.code, 10, looseFile.stderr)
        XCTAssertTrue(looseFile.stderr.contains("chmod 600 '\(keyFile.path)'"), "the path with a space is quoted: \(looseFile.stderr)")
        XCTAssertEqual(try sandbox.run(["import", keyFile.path]).code, 10)
        XCTAssertTrue(try sandbox.run(["list"]).stdout.contains("No devices yet"), "nothing was imported")
        XCTAssertEqual(chmod(keyFile.path, 0o600), 0)

        let imported = try sandbox.run(["import", folder.path, "--kind", "thermostat", "--json"])
        XCTAssertEqual(imported.code, 0, imported.stderr)
        XCTAssertFalse(imported.stdout.uppercased().contains(Base32.encode(key.privateKey.rawRepresentation, uppercase: true)))
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.first?["name"] as? String, "front-door")
        XCTAssertEqual(rows.first?["action"] as? String, "device-added")

        let out = sandbox.root.appendingPathComponent("export.auth_private")
        let exported = try sandbox.run(["export", "front-door", "--output", out.path])
        XCTAssertEqual(exported.code, 0, exported.stderr)
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), torLine, "byte for byte tor's format")
        XCTAssertEqual(try sandbox.run(["export", "front-door", "--output", out.path]).code, 2, "no silent overwrite")
        let mode = (try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o600)

        // Importing the same key again neither duplicates the device nor claims to replace the key.
        let again = try sandbox.run(["import", out.path, "--json"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("\"key-unchanged\""), again.stdout)
        XCTAssertEqual(try sandbox.run(["list", "--json"]).stdout.components(separatedBy: "\"name\"").count - 1, 1)
    }

    /// `key new` prints the authorized_clients line; it matches the stored private key.
    func testKeyNewPrintsTheServiceLineForTheStoredKey() throws {
        let sandbox = Sandbox("keys-new")
        let address = try randomOnionAddress()
        XCTAssertEqual(try sandbox.run(["add", "door", address.base32]).code, 0)
        let made = try sandbox.run(["key", "new", "door"])
        XCTAssertEqual(made.code, 0, made.stderr)
        let line = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(line.hasPrefix("descriptor:x25519:"), line)
        XCTAssertEqual(line.count, "descriptor:x25519:".count + 52)
        let publicKey = try ClientAuthKey.parseServiceLine(line)
        let store = AddressBookStore(directory: sandbox.bookDirectory)
        let stored = try XCTUnwrap(try store.key(for: try store.load().require("door")))
        XCTAssertEqual(stored.publicKey, publicKey)
        XCTAssertEqual(try sandbox.run(["key", "new", "door"]).code, 2, "an existing key is not replaced without --force")

        let shown = try sandbox.run(["key", "show", "door", "--json"])
        XCTAssertEqual(shown.code, 0)
        let secret = Base32.encode(stored.privateKey.rawRepresentation, uppercase: true)
        XCTAssertFalse(shown.stdout.uppercased().contains(secret), "no private key without --reveal")
        XCTAssertTrue(shown.stdout.contains(line))
        let revealed = try sandbox.run(["key", "show", "door", "--reveal", "--json"])
        XCTAssertTrue(revealed.stdout.contains(secret))
        XCTAssertEqual(try sandbox.run(["key", "remove", "door"]).code, 2, "no confirmation without a terminal")
        XCTAssertEqual(try sandbox.run(["key", "remove", "door", "--yes"]).code, 0)
        XCTAssertNil(try store.key(for: try store.load().require("door")))
    }

    /// The file scripts/testnet wrote for the thermostat (C tor's reference client reads the same folder).
    func testImportOfTheTestNetworksAuthFolder() throws {
        let network = try TestNetwork.shared()
        let thermostat = try network.device("thermostat")
        let file = try XCTUnwrap(thermostat.auth_private_file)
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let sandbox = Sandbox("keys-testnet")
        XCTAssertEqual(try sandbox.run(["add", "thermostat", thermostat.onion, "--kind", "thermostat"]).code, 0)
        let imported = try sandbox.run(["import", network.authDirectory.path])
        XCTAssertEqual(imported.code, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("key-added"), imported.stdout)
        let stored = try String(contentsOf: AddressBookStore(directory: sandbox.bookDirectory).keyFile(for: "thermostat"), encoding: .utf8)
        XCTAssertEqual(stored, original)
    }
}
