import XCTest
@testable import TorCrypto

final class AESCTRTests: XCTestCase {
    // NIST SP 800-38A F.5 (as in arti crates/tor-llcrypto/tests/testvec.rs `tv_aes128_ctr`,
    // `tv_aes256_ctr`).
    static let counter = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
    static let plaintext = hex("""
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """)
    static let key128 = hex("2b7e151628aed2a6abf7158809cf4f3c")
    static let cipher128 = hex("""
        874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
        5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee
        """)
    static let key256 = hex("603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4")
    static let cipher256 = hex("""
        601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5
        2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6
        """)

    func testAES128CTR() throws {
        let c = try AESCTR(key: Self.key128, iv: Self.counter)
        XCTAssertBytes(c.process(Self.plaintext), Self.cipher128)
        // F.5.2: decryption is the same operation.
        let d = try AESCTR(key: Self.key128, iv: Self.counter)
        var data = Self.cipher128
        d.apply(&data)
        XCTAssertBytes(data, Self.plaintext)
    }

    func testAES256CTR() throws {
        let c = try AESCTR(key: Self.key256, iv: Self.counter)
        XCTAssertBytes(c.process(Self.plaintext), Self.cipher256)
    }

    // The keystream continues across calls: any split of the input gives the NIST output.
    func testSplitAcrossCallsKeepsStream() throws {
        for (key, want) in [(Self.key128, Self.cipher128), (Self.key256, Self.cipher256)] {
            for splits in [[1, 15, 16, 32], [7, 9, 48], [33, 31], [0, 64], [5, 5, 5, 5, 44]] {
                let c = try AESCTR(key: key, iv: Self.counter)
                var out: [UInt8] = []
                var offset = 0
                for n in splits {
                    var piece = Array(Self.plaintext[offset..<offset + n])
                    if n % 2 == 0 {
                        c.apply(&piece)
                    } else {
                        piece.withUnsafeMutableBytes { c.apply($0) }
                    }
                    out += piece
                    offset += n
                }
                XCTAssertBytes(out, want, "splits \(splits)")
            }
        }
    }

    func testBadKeyAndIVLengthsThrow() {
        XCTAssertThrowsError(try AESCTR(key: [UInt8](repeating: 0, count: 24))) { error in
            XCTAssertEqual(error as? CryptoError, .invalidKeyLength(expected: 16, got: 24))
        }
        XCTAssertThrowsError(try AESCTR(key: []))
        XCTAssertThrowsError(try AESCTR(key: Self.key128, iv: [0, 1, 2]))
    }

    // tor1 relay crypto over three hops, 51 cells, with AES-128-CTR and SHA-1 running state
    // kept across cells: arti crates/tor-proto/src/crypto/cell/tor1.rs `testvec` with
    // crates/tor-proto/testdata/cell_crypt.rs ("Generated with Tor's encryption code"); key
    // material strings from C tor src/test/test_relaycrypt.c. Checks cells 0 and 50.
    func testTor1ThreeHopVector() throws {
        let keyMaterial = [
            "    'My public key is in this signed x509 object', said Tom assertively.      (N-PREG-VIRYL)",
            "'Let's chart the pedal phlanges in the tomb', said Tom cryptographically.  (PELCG-GBR-TENCU)",
            "     'Segmentation fault bugs don't _just happen_', said Tom seethingly.        (P-GUVAT-YL)",
        ].map(bytes)
        let seed = bytes("'You mean to tell me that there's a version of Sha-3 with no limit on the output length?', said Tom shakily.")
        let want: [Int: [UInt8]] = [0: hex("""
            CAEC8C2606B65A1D42EEBB1DD3FDC9973EEB3B3A3E90C1703101F1CF016F6FCCB4C1BD45DA9A0DA1920DE6C31883173D
            F4E7005A36B8136BD7D0F0FB80D68F13B8731EC43581430578AF7C7E6B46EFC7C7751397B8B5D4BA0CD99B0E5E530144
            335471667D42035DCA6317B625867AEC19C8AC06F2B5FFA36A1866E9148337A3CA64CA4B28B5E975C467B1B74F99688A
            3ADBDBFF0032F1FA05D2CAC619ECCCF16D3FE14E6CEEF3C2BFCF14A29A805F100D905FBC0ED25DA7F95117F5DF09EA2E
            5884A0CC1B9910B8584280D37C5E32CB8F447B400ED8CDF7E358F61F9DF29A052FE8996CE13B5537B1DD489B70E2280D
            F9D18860C8772DB82776BBB0864299D952D331B6A98E54B8763FDD1B15B90795CE997CF001B1C58014A3032D04658B95
            15660BB88DEFDBC974CA87A319A2FB43792D466CBE4E2AAF5B952FF70D1D757FD83E7CBED0A3FA8FE34B169B57A42094
            48419D972CCAD7F8616E557459E05467F19C8E6E1990E997C9D763A004C433942E7D9872212FC47A2BEF025FC2D261AA
            776832886F5487734FBF673A32A782594E15357D0EE631095E9BCED1A6A98C79AB5D1F614C14B7620585C033A82D1A5F
            713E1B31DB05D3BC1B08C2EDE7E3030C31025B7EDA21C3A003604967809943B01B6AC35863A4680FF6A85E20C6932F4C
            84A8BBFAA8B5114D82991334DFADE675CFB818DC7CA294B8D42C7A4CF7
            """), 50: hex("""
            E728044DC5C658C7059F6CB9619A4D9F0004F4BB41085EB5A88823B1DCA83199EC632ACC02F6923AB0BC3D99F41C095C
            D78CD83B0BD0E175EEBDF5EB820AC4ED63BCDFFE2F9B83633F983D0DF822AB4AEFBB19B3FEC2E2C477B110A099504622
            8540F8D4D1320C9A51A8842BD476FB3586AA1909736B52F54929BFF1142FCCA8168A42434D1AB7FDFDA13E1DD2850C7D
            08B98418BC6355C82D31B9B72B7BC769D1F34D9763F5BC2F9BCDCB12BBFF9921AD74EAA04D63D17A5957761BBCE5FD1F
            35FAC010DBF5F311AFD536977EC80B8125B3966C1DC1536B1C0C7906BF3F63559448EE25B9BD2F9C86539A4E75CE1A36
            BFB43176A30ACECFC35152A2D5B3153457A4900045D88420F6DF04F6489C31D3F5CDD69C01508CD88CAA62DDA2600EE2
            393C1B35EF4BF72C8BC608C0D5230F136656D1E021EBD3D56FAB1A57675D0ED0745FA96B95A00A13DDEE5064A8DF1B9B
            35D7CCA33FEB4469657485768F8B177A92E518818ACF74012BAF004BF0E84922186116D8BB907700BA898C5991B2DB35
            53CBF63900B54169D96AE6D13A042B1528D59E5143B40471CB5E32242ED168AF5C12B757139DC61F9D90E39160DB07BF
            51A97CD926946FD8F8DDB138ED9F7627EAF416F3BC648B16E530433F9BAC31683FC12B2B907168D8D12AB27AF3E175DD
            C89327329C47FCB0586032F2A09CE8B2D25D1ED5E5FBF1D26753586618
            """)]
        // Per hop: Df = K[0:20] seeds the forward SHA-1, Kf = K[40:56] (tor-spec §5.2.2).
        var digests: [RunningDigest] = []
        var ciphers: [AESCTR] = []
        for k in keyMaterial {
            let d = RunningDigest(.sha1)
            d.update(Array(k[0..<20]))
            digests.append(d)
            ciphers.append(try AESCTR(key: Array(k[40..<56])))
        }
        let stream = Hash.shake256(seed, outputLength: 51 * 498)
        for n in 0..<51 {
            var body = [UInt8](repeating: 0, count: 509)
            body[0] = 2; body[4] = 1; body[9] = 0x01; body[10] = 0xf2
            body.replaceSubrange(11..<509, with: stream[(n * 498)..<((n + 1) * 498)])
            digests[2].update(body)
            body.replaceSubrange(5..<9, with: digests[2].currentDigest().prefix(4))
            for hop in [2, 1, 0] { ciphers[hop].apply(&body) }
            if let w = want[n] { XCTAssertBytes(body, w, "cell \(n)") }
        }
    }
}
