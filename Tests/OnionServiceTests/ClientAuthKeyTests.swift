import XCTest
import TorCrypto
@testable import OnionService

final class ClientAuthKeyTests: XCTestCase {
    // arti crates/tor-netdoc/src/doc/hsdesc.rs `mod test_data`: TEST_SECKEY_2 is
    // SDZNMD4RP4SCH4EYTTUZPFRZINNFWAOPPKZ6BINZAC7LREV24RBQ, TEST_PUBKEY_2 is
    // SACGOAEODFGCYY22NYZV45ZESFPFLDGLMBWFACKEO34XGHASSAMQ (base32).
    let address = "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad"
    let secret = "SDZNMD4RP4SCH4EYTTUZPFRZINNFWAOPPKZ6BINZAC7LREV24RBQ"
    let publicKey = "SACGOAEODFGCYY22NYZV45ZESFPFLDGLMBWFACKEO34XGHASSAMQ"

    func testRoundTrip() throws {
        let line = "\(address):descriptor:x25519:\(secret)"
        let key = try ClientAuthKey(line: line)
        XCTAssertEqual(key.address.base32, address)
        XCTAssertEqual(key.privateKey.rawRepresentation,
                       hex("90F2D60F917F2423F0989CE9979639435A5B01CF7AB3E0A1B900BEB892BAE443"))
        XCTAssertEqual(key.clientLine, line)
        XCTAssertEqual(key.serviceLine, "descriptor:x25519:\(publicKey)")
        XCTAssertEqual(try ClientAuthKey.parseServiceLine(key.serviceLine), key.publicKey)
        // With ".onion" and in lower case.
        let relaxed = try ClientAuthKey(line: "\(address).onion:descriptor:x25519:\(secret.lowercased())\n")
        XCTAssertEqual(relaxed.clientLine, line)
        let generated = ClientAuthKey.generate(for: key.address)
        XCTAssertEqual(try ClientAuthKey(line: generated.clientLine).publicKey, generated.publicKey)
    }

    func testMalformedLines() {
        func error(_ line: String) -> ClientAuthKeyError? {
            do { _ = try ClientAuthKey(line: line, lineNumber: 3); return nil } catch { return error }
        }
        guard case .malformed(3, _)? = error("\(address):descriptor:\(secret)") else { return XCTFail("field count") }
        guard case .malformed(3, _)? = error("\(address):intro:x25519:\(secret)") else { return XCTFail("auth type") }
        guard case .malformed(3, _)? = error("\(address):descriptor:ed25519:\(secret)") else { return XCTFail("key type") }
        guard case .badAddress(3, .wrongLength(55))? = error("\(address.dropLast()):descriptor:x25519:\(secret)") else {
            return XCTFail("address")
        }
        guard case .badKey(3, _)? = error("\(address):descriptor:x25519:\(secret.dropLast())") else { return XCTFail("key length") }
        guard case .badKey(3, _)? = error("\(address):descriptor:x25519:\(secret.dropLast())1") else { return XCTFail("key base32") }
        guard case .badKey(3, _)? = error("\(address):descriptor:x25519:\(String(repeating: "A", count: 52))") else {
            return XCTFail("zero key")
        }
        XCTAssertTrue(ClientAuthKeyError.badKey(line: 3, detail: "x").description.hasPrefix("line 3: "))
        XCTAssertThrowsError(try ClientAuthKey.parseServiceLine("descriptor:x25519"))
    }

    func testDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("authdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "\(address):descriptor:x25519:\(secret)\n".write(to: directory.appendingPathComponent("cam.auth_private"),
                                                             atomically: true, encoding: .utf8)
        try "garbage\n".write(to: directory.appendingPathComponent("bad.auth_private"), atomically: true, encoding: .utf8)
        try "ignored".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let store = try ClientAuthDirectory(directory: directory)
        XCTAssertEqual(store.keys.count, 1)
        XCTAssertNotNil(store.key(for: try OnionAddress(address)))
        XCTAssertEqual(store.problems.map(\.file), ["bad.auth_private"])
        XCTAssertThrowsError(try ClientAuthDirectory(directory: directory.appendingPathComponent("missing")))
    }
}
