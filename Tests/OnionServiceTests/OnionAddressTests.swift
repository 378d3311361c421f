import XCTest
@testable import OnionService

final class OnionAddressTests: XCTestCase {
    // C tor src/test/test_hs_common.c `test_build_address` (made with hs_build_address.py).
    let vectorKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    let vectorAddress = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"

    func testBuildAddressVector() throws {
        let address = try OnionAddress(publicKey: vectorKey)
        XCTAssertEqual(address.description, vectorAddress + ".onion")
        XCTAssertEqual(try OnionAddress(vectorAddress).publicKey, vectorKey)
    }

    // rend-spec-v3.txt §6 [ONIONADDRESS] example addresses.
    func testSpecExamples() throws {
        for text in ["pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
                     "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion",
                     "xa4r2iadxm55fbnqgwwi5mymqdcofiu3w6rpbtqn7b2dyn7mgwj64jyd.onion"] {
            let address = try OnionAddress(text)
            XCTAssertEqual(address.description, text)
            XCTAssertEqual(try OnionAddress(publicKey: address.publicKey), address)
        }
    }

    func testAcceptedSpellings() throws {
        let canonical = try OnionAddress(vectorAddress + ".onion")
        XCTAssertEqual(try OnionAddress(vectorAddress.uppercased() + ".ONION"), canonical)
        XCTAssertEqual(try OnionAddress("www.cam." + vectorAddress + ".onion"), canonical)
        XCTAssertEqual(try OnionAddress("  " + vectorAddress + "\n"), canonical)
        XCTAssertEqual(try OnionAddress(vectorAddress + ".onion."), canonical)
        XCTAssertNotNil(OnionAddress(validating: vectorAddress))
        XCTAssertNil(OnionAddress(validating: "example.com"))
    }

    func testTypoIsBadChecksum() {
        // Change one character of the key part ('q' -> 'r').
        var chars = Array(vectorAddress)
        chars[5] = chars[5] == "r" ? "s" : "r"
        let typo = String(chars)
        XCTAssertThrows(OnionAddressError.badChecksum) { try OnionAddress(typo) }
        XCTAssertEqual(OnionAddressError.badChecksum.description,
                       "checksum does not match: a character is probably mistyped")
    }

    func testErrors() throws {
        XCTAssertThrows(OnionAddressError.wrongLength(55)) { try OnionAddress(String(vectorAddress.dropLast())) }
        XCTAssertThrows(OnionAddressError.wrongLength(16)) { try OnionAddress("expyuzz4wqqyqhjn.onion") }
        XCTAssertThrows(OnionAddressError.notBase32) { try OnionAddress("0" + vectorAddress.dropFirst()) }
        // The last character carries the version's low bits: 'd' = 3, 'e' = 4.
        XCTAssertThrows(OnionAddressError.unsupportedVersion(4)) { try OnionAddress(vectorAddress.dropLast() + "e") }
        // A small-order point (the identity, y = 1) with a correct checksum.
        var identity = [UInt8](repeating: 0, count: 32)
        identity[0] = 1
        let checksum = OnionAddress.checksum(publicKey: identity, version: 3)
        let text = Base32.encode(identity + checksum + [3])
        XCTAssertThrows(OnionAddressError.invalidKey) { try OnionAddress(text) }
        XCTAssertThrows(OnionAddressError.invalidKey) { try OnionAddress(publicKey: identity) }
    }
}

import TorCrypto
