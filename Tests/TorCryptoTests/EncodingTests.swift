import XCTest
@testable import TorCrypto

final class EncodingTests: XCTestCase {
    // RFC 4648 §10 test vectors.
    static let rfc4648: [(String, String, String)] = [  // (input, base32, base64)
        ("", "", ""),
        ("f", "MY======", "Zg=="),
        ("fo", "MZXQ====", "Zm8="),
        ("foo", "MZXW6===", "Zm9v"),
        ("foob", "MZXW6YQ=", "Zm9vYg=="),
        ("fooba", "MZXW6YTB", "Zm9vYmE="),
        ("foobar", "MZXW6YTBOI======", "Zm9vYmFy"),
    ]

    func testBase32RFC4648() throws {
        for (input, b32, _) in Self.rfc4648 {
            let unpadded = b32.replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(Base32.encode(bytes(input), uppercase: true), unpadded)
            XCTAssertEqual(Base32.encode(bytes(input)), unpadded.lowercased())
            XCTAssertEqual(try Base32.decode(b32), bytes(input))            // padded
            XCTAssertEqual(try Base32.decode(unpadded), bytes(input))       // unpadded
            XCTAssertEqual(try Base32.decode(unpadded.lowercased()), bytes(input))
        }
        XCTAssertEqual(try Base32.decode("mZxW6yTbOi"), bytes("foobar"))  // mixed case
    }

    func testBase32Malformed() {
        for bad in ["M", "MZX", "MZXW6Y", "MZ1Q", "MZ Q", "MZ=Q", "mzxw6ytb!", "MZXW6YTBO"] {
            XCTAssertThrowsError(try Base32.decode(bad), bad) { error in
                guard case .decodingFailed = error as? CryptoError else { return XCTFail("\(error)") }
            }
        }
    }

    // C tor src/test/test_hs_common.c `test_build_address`: the RFC 8032 TEST 1 key gives this
    // address; address = base32(PUBKEY | CHECKSUM | 0x03), CHECKSUM = SHA3-256(".onion checksum" |
    // PUBKEY | 0x03)[0:2] (rend-spec-v3 §6).
    func testOnionAddressFromCTor() throws {
        let pk = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let address = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"
        let decoded = try Base32.decode(address)
        XCTAssertEqual(decoded.count, 35)
        XCTAssertBytes(Array(decoded.prefix(32)), pk)
        XCTAssertEqual(decoded[34], 3)
        XCTAssertBytes(Array(decoded[32..<34]),
                       Array(Hash.sha3_256(bytes(".onion checksum") + pk + [3]).prefix(2)))
        XCTAssertEqual(Base32.encode(decoded), address)
        XCTAssertEqual(Base32.encode(decoded, uppercase: true), address.uppercased())
    }

    // torspec rend-spec-v3.txt §6 [ONIONADDRESS] example addresses.
    func testRendSpecExampleAddresses() throws {
        for address in ["pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd",
                        "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd",
                        "xa4r2iadxm55fbnqgwwi5mymqdcofiu3w6rpbtqn7b2dyn7mgwj64jyd"] {
            let decoded = try Base32.decode(address)
            XCTAssertEqual(decoded.count, 35, address)
            XCTAssertEqual(decoded[34], 3, address)
            let pk = Array(decoded.prefix(32))
            XCTAssertBytes(Array(decoded[32..<34]),
                           Array(Hash.sha3_256(bytes(".onion checksum") + pk + [3]).prefix(2)), address)
            XCTAssertTrue(Ed25519.isValidPoint(pk), address)
            XCTAssertEqual(try Base32.decode(address.uppercased()), decoded)
        }
    }

    func testBase64RFC4648() throws {
        for (input, _, b64) in Self.rfc4648 {
            XCTAssertEqual(Base64.encode(bytes(input)), b64)
            let unpadded = b64.replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(Base64.encode(bytes(input), padding: false), unpadded)
            XCTAssertEqual(try Base64.decode(b64), bytes(input))
            XCTAssertEqual(try Base64.decode(unpadded), bytes(input))   // missing padding
        }
        // Whitespace and newlines are ignored (PEM bodies, wrapped Tor documents).
        XCTAssertEqual(try Base64.decode(" Zm9v\nYmFy\r\n\t"), bytes("foobar"))
        XCTAssertEqual(try Base64.decode("Zm9vYg=\n="), bytes("foob"))
        // arti crates/tor-llcrypto/tests/testvec.rs `tv_ed25519`: the RFC 8032 TEST 1 key in
        // Tor's unpadded base64.
        XCTAssertBytes(try Base64.decode("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
                       hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        XCTAssertEqual(Base64.encode(hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"), padding: false),
                       "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo")
    }

    func testBase64Malformed() {
        for bad in ["Z", "Zm9vY", "Zm9v!", "Zg===", "Zg=a", "Zm9v=", "Z===", "Zm-v", "Zm9v\u{e9}"] {
            XCTAssertThrowsError(try Base64.decode(bad), bad) { error in
                guard case .decodingFailed = error as? CryptoError else { return XCTFail("\(error)") }
            }
        }
    }

    func testRoundTripAllLengths() throws {
        for n in 0..<70 {
            let data = SecureRandom.bytes(n)
            XCTAssertEqual(try Base64.decode(Base64.encode(data)), data)
            XCTAssertEqual(try Base64.decode(Base64.encode(data, padding: false)), data)
            XCTAssertEqual(try Base32.decode(Base32.encode(data)), data)
        }
    }
}
