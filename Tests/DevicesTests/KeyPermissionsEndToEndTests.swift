import Devices
import Foundation
import TestSupport
import XCTest

/// Issue 11 (key files), end to end through the private Tor network: a 0644 key file is refused
/// with the exact chmod, and the same file works after `chmod 600`.
final class KeyPermissionsEndToEndTests: XCTestCase {
    func testA0644KeyFileIsRefusedAndWorksAfterChmod600() throws {
        let network = try TestNetwork.shared()
        let thermostat = try network.device("thermostat")
        let sandbox = Sandbox("key-perms")
        let net = ["--network", network.networkFile.path, "--timeout", "90"]
        let loose = sandbox.root.appendingPathComponent("thermostat.auth_private")
        try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(thermostat.auth_private_file))).write(to: loose)
        XCTAssertEqual(chmod(loose.path, 0o644), 0)
        XCTAssertEqual(try sandbox.run(["add", "thermostat", thermostat.onion, "--kind", "thermostat"]).code, 0)

        // import and fetch --auth-private refuse the 0644 file: exit 10, the exact chmod, no key used.
        let refusedImport = try sandbox.run(["import", loose.path])
        XCTAssertEqual(refusedImport.code, 10, refusedImport.stderr)
        XCTAssertTrue(refusedImport.stderr.contains("key file \(loose.path) is accessible by group or others (mode 0644)"), refusedImport.stderr)
        XCTAssertTrue(refusedImport.stderr.contains("chmod 600 \(loose.path)"), refusedImport.stderr)
        XCTAssertTrue(try sandbox.run(["list", "--json"]).stdout.contains("\"key\" : false"), "no key was imported")
        let url = "http://\(thermostat.onion)/api/v1/thermostat"
        let refusedFetch = try sandbox.run(["fetch", "--auth-private", loose.path, url, "--network", network.networkFile.path])
        XCTAssertEqual(refusedFetch.code, 10, refusedFetch.stderr)
        XCTAssertTrue(refusedFetch.stderr.contains("chmod 600 \(loose.path)"), refusedFetch.stderr)
        XCTAssertEqual(refusedFetch.stdout, "")

        // After chmod 600: imported, and the device answers through Tor with the key.
        XCTAssertEqual(chmod(loose.path, 0o600), 0)
        let imported = try sandbox.run(["import", loose.path])
        XCTAssertEqual(imported.code, 0, imported.stderr)
        let fetched = try sandbox.run(["fetch", "--auth-private", loose.path, url, "--network", network.networkFile.path, "--timeout", "90"])
        XCTAssertEqual(fetched.code, 0, fetched.stderr)
        XCTAssertTrue(fetched.stdout.contains("\"setpoint\""), fetched.stdout)

        // The address book's own key file loosened: refused before any network use; book untouched.
        let store = AddressBookStore(directory: sandbox.bookDirectory)
        let stored = store.keyFile(for: "thermostat").path
        let book = try Data(contentsOf: store.bookFile)
        XCTAssertEqual(chmod(stored, 0o644), 0)
        let refusedGet = try sandbox.run(["get", "thermostat"] + net)
        XCTAssertEqual(refusedGet.code, 10, refusedGet.stderr)
        XCTAssertTrue(refusedGet.stderr.contains("chmod 600 \(stored)"), refusedGet.stderr)
        XCTAssertEqual(refusedGet.stdout, "")
        XCTAssertEqual(try Data(contentsOf: store.bookFile), book, "the address book is neither lost nor rewritten")
        XCTAssertEqual(chmod(stored, 0o600), 0)
        let got = try sandbox.run(["get", "thermostat", "--json"] + net)
        XCTAssertEqual(got.code, 0, got.stderr)
        XCTAssertTrue(got.stdout.contains("\"setpoint\""), got.stdout)
    }
}
