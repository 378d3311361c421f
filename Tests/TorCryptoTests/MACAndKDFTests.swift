import XCTest
@testable import TorCrypto

final class MACAndKDFTests: XCTestCase {
    // HMAC-SHA256: C tor src/test/test_crypto.c `test_crypto_digests` (Wikipedia cases and
    // RFC 4231 test cases 1-4, 6, 7).
    func testHMACSHA256() {
        XCTAssertBytes(HMAC.sha256(key: [], message: []),
                       hex("B613679A0814D9EC772F95D778C35FC5FF1697C493715653C6C712144292C5AD"))
        XCTAssertBytes(HMAC.sha256(key: bytes("key"), message: bytes("The quick brown fox jumps over the lazy dog")),
                       hex("F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8"))
        XCTAssertBytes(HMAC.sha256(key: [UInt8](repeating: 0x0b, count: 20), message: bytes("Hi There")),
                       hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
        XCTAssertBytes(HMAC.sha256(key: bytes("Jefe"), message: bytes("what do ya want for nothing?")),
                       hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        XCTAssertBytes(HMAC.sha256(key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50)),
                       hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"))
        XCTAssertBytes(HMAC.sha256(key: hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                                   message: [UInt8](repeating: 0xcd, count: 50)),
                       hex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"))
        XCTAssertBytes(HMAC.sha256(key: [UInt8](repeating: 0xaa, count: 131),
                                   message: bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
                       hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
        XCTAssertBytes(HMAC.sha256(key: [UInt8](repeating: 0xaa, count: 131),
                                   message: bytes("This is a test using a larger than block-size key and a "
                                                  + "larger than block-size data. The key needs to be hashed "
                                                  + "before being used by the HMAC algorithm.")),
                       hex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"))
    }

    // RFC 5869 A.1-A.3, as in C tor src/test/test_crypto.c `test_crypto_hkdf_sha256_testvecs`.
    func testHKDFRFC5869() {
        XCTAssertBytes(HKDF.sha256(ikm: hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                                   salt: hex("000102030405060708090a0b0c"),
                                   info: hex("f0f1f2f3f4f5f6f7f8f9"), outputLength: 42),
                       hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
        XCTAssertBytes(HKDF.sha256(
            ikm: hex("""
                000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
                202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
                404142434445464748494a4b4c4d4e4f
                """),
            salt: hex("""
                606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
                808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
                a0a1a2a3a4a5a6a7a8a9aaabacadaeaf
                """),
            info: hex("""
                b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf
                d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef
                f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
                """),
            outputLength: 82),
            hex("""
                b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c
                59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71
                cc30c58179ec3e87c14c01d5c1f3434f1d87
                """))
        XCTAssertBytes(HKDF.sha256(ikm: hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                                   salt: [], info: [], outputLength: 42),
                       hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
    }

    // torspec proposals/216-ntor-handshake.txt "Test vectors for HKDF-SHA256" (also C tor
    // test_crypto.c `test_crypto_hkdf_sha256`): salt = t_key, info = m_expand, 100 bytes.
    func testHKDFNtorVectors() {
        let tKey = bytes("ntor-curve25519-sha256-1:key_extract")
        let mExpand = bytes("ntor-curve25519-sha256-1:key_expand")
        let cases: [(String, String)] = [
            ("", """
             d3490ed48b12a48f9547861583573fe3f19aafe3f81dc7fc75eeed96d741b3290f941576c1f9f0b2
             d463d1ec7ab2c6bf71cdd7f826c6298c00dbfe6711635d7005f0269493edf6046cc7e7dcf6abe0d2
             0c77cf363e8ffe358927817a3d3e73712cee28d8
             """),
            ("Tor", """
             5521492a85139a8d9107a2d5c0d9c91610d0f95989975ebee6c02a4f8d622a6cfdf9b7c7edd3832e
             2760ded1eac309b76f8d66c4a3c4d6225429b3a016e3c3d45911152fc87bc2de9630c3961be9fdb9
             f93197ea8e5977180801926d3321fa21513e59ac
             """),
            ("AN ALARMING ITEM TO FIND ON YOUR CREDIT-RATING STATEMENT", """
             a2aa9b50da7e481d30463adb8f233ff06e9571a0ca6ab6df0fb206fa34e5bc78d063fc291501beec
             53b36e5a0e434561200c5f8bd13e0f88b3459600b4dc21d69363e2895321c06184879d94b18f0784
             11be70b767c7fc40679a9440a0c95ea83a23efbf
             """),
        ]
        for (input, want) in cases {
            XCTAssertBytes(HKDF.sha256(ikm: bytes(input), salt: tKey, info: mExpand, outputLength: 100),
                           hex(want), input)
            // The same through the split API: PRK = HMAC(t_key, secret), then expand.
            let prk = HMAC.sha256(key: tKey, message: bytes(input))
            XCTAssertBytes(HKDF.expandSHA256(prk: prk, info: mExpand, outputLength: 100), hex(want), input)
        }
        XCTAssertEqual(HKDF.expandSHA256(prk: [1], info: [], outputLength: 0), [])
    }

    // KDF-TOR via CREATE_FAST: arti crates/tor-proto/src/crypto/handshake/fast.rs `testvec`
    // ("Generated from Tor"). K0 = X | Y; output = KH(20) | key material.
    func testKDFTorCreateFast() {
        let vectors: [(String, String, String)] = [
            ("080E247DF7C252FCD2DC10F459703480C223E3A6",
             "BA95C0D092335428BF80093BBED0B7A26C49E1E8696FBF9C8D6BE26504219C000D26AFE370FCEF04",
             "AFA89B4FC8CF882335A582C52478B5FCB1E08DAF707E2C2D23B8C27D30BD461F3DF98A3AF82221CB658AD0AA8680B99067E4F7DBC546970EA9A56B26433C71DA867BDD09C14A1308BC327D6A448D71D2382B3AB6AF0BB4E19649A8DFF607DB9C57A04AC3"),
            ("5F786C724C2F5978474A04FA63772057AD896A03",
             "6210B037001405742FE78B6F5B34E6DB3C9F2F7E24239498613E0ED872E110A00774A3FCB37A7507",
             "D41B65D83FB4B34A322B658BE4D706EDCD8B62813757E719118C394E1F22E1C8EA8959BAB30E856A914C3054946F547397094DE031F5BCA384C65C8880BF7AAB9CE7BEE33971F9DE8C22A23366F46BF8B5E5112321E216B0E02C62EEA3ABB72A0E062592"),
        ]
        for (x, reply, keys) in vectors {
            let y = Array(hex(reply).prefix(20))
            let kh = Array(hex(reply).suffix(20))
            let want = hex(keys)
            let out = KDFTor.derive(hex(x) + y, outputLength: 20 + want.count)
            XCTAssertBytes(Array(out.prefix(20)), kh)
            XCTAssertBytes(Array(out.dropFirst(20)), want)
        }
    }
}

final class OnionServiceMACTests: XCTestCase {
    // arti crates/tor-hscrypto/src/ops.rs `mac_testvec` ("From C Tor"; C tor test_crypto.c
    // `test_crypto_mac_sha3`).
    func testHSMacVector() {
        XCTAssertBytes(OnionServiceMAC.compute(key: bytes("i'm from the past talking to the future."),
                                               message: bytes("i am in a library somewhere using my computer")),
                       hex("753fba6d87d49497238a512a3772dd291e55f7d1cd332c9fb5c967c7a10a13ca"))
    }
}
