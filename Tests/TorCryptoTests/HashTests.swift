import XCTest
@testable import TorCrypto

final class HashTests: XCTestCase {
    // SHA-1: RFC 3174 examples, as in arti crates/tor-llcrypto/tests/testvec.rs `tv_sha1`.
    func testSHA1() {
        XCTAssertBytes(Hash.sha1(bytes("abc")), hex("A9993E364706816ABA3E25717850C26C9CD0D89D"))
        XCTAssertBytes(Hash.sha1(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       hex("84983E441C3BD26EBAAE4AA1F95129E5E54670F1"))
        XCTAssertBytes(Hash.sha1([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       hex("34AA973CD4C4DAA4F61EEB2BDBAD27316534016F"))
    }

    // Same source (`tv_sha1`): the repeat-count cases, fed incrementally through RunningDigest.
    func testSHA1RepeatedThroughRunningDigest() {
        let d = RunningDigest(.sha1)
        let chunk = bytes("0123456701234567012345670123456701234567012345670123456701234567")
        for _ in 0..<10 { d.update(chunk) }
        XCTAssertBytes(d.currentDigest(), hex("DEA356A2CDDD90C7A7ECEDC5EBB563934F460452"))
        let a = RunningDigest(.sha1)
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { a.update(million) }
        XCTAssertBytes(a.currentDigest(), hex("34AA973CD4C4DAA4F61EEB2BDBAD27316534016F"))
    }

    // SHA-256: NIST sha_all.pdf examples, as in arti testvec.rs `tv_sha256`.
    func testSHA256() {
        XCTAssertBytes(Hash.sha256(bytes("abc")),
                       hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
        XCTAssertBytes(Hash.sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       hex("248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1"))
    }

    // SHA3-256: NIST CAVP byte vectors, as in arti testvec.rs `tv_sha3_256`.
    func testSHA3_256() {
        XCTAssertBytes(Hash.sha3_256([]),
                       hex("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"))
        XCTAssertBytes(Hash.sha3_256(hex("e9")),
                       hex("f0d04dd1e6cfc29a4460d521796852f25d9ef8d28b44ee91ff5b759d72c1e6d6"))
        XCTAssertBytes(Hash.sha3_256(hex("d16d978dfbaecf2c8a04090f6eebdb421a5a711137a6")),
                       hex("7f497913318defdc60c924b3704b65ada7ca3ba203f23fb918c6fb03d4b0c0da"))
        XCTAssertBytes(Hash.sha3_256(hex("""
            3341ca020d4835838b0d6c8f93aaaebb7af60730d208c85283f6369f1ee27fd96d38f2674f
            316ef9c29c1b6b42dd59ec5236f65f5845a401adceaa4cf5bbd91cac61c21102052634e99faedd6c
            dddcd4426b42b6a372f29a5a5f35f51ce580bb1845a3c7cfcd447d269e8caeb9b320bb731f53fe5c
            969a65b12f40603a685afed86bfe53
            """)),
                       hex("6c3e93f2b49f493344cc3eb1e9454f79363032beee2f7ea65b3d994b5cae438f"))
    }

    // SHAKE-256: NIST CAVP byte vectors, as in arti testvec.rs `tv_shake256`.
    func testSHAKE256() {
        XCTAssertBytes(Hash.shake256(hex("c61a9188812ae73994bc0d6d4021e31bf124dc72669749111232da7ac29e61c4"),
                                     outputLength: 2), hex("23ce"))
        XCTAssertBytes(Hash.shake256(hex("76891a7bcc6c04490035b743152f64a8dd2ea18ab472b8d36ecf45858d0b0046"),
                                     outputLength: 16),
                       hex("e8447df87d01beeb724c9a2a38ab00fcc24e9bd17860e673b021222d621a7810e5d3").prefix(16).map { $0 })
        XCTAssertBytes(Hash.shake256(hex("76891a7bcc6c04490035b743152f64a8dd2ea18ab472b8d36ecf45858d0b0046"),
                                     outputLength: 34),
                       hex("e8447df87d01beeb724c9a2a38ab00fcc24e9bd17860e673b021222d621a7810e5d3"))
        let long = hex("""
            de489392796fd3b530c506e482936afcfe6b72dcf7e9def054953842ff19076908c8a1d6a4e7639e0fdbfa1b5201095051aac3e39977
            79e588377eac979313e39c3721dc9f912cf7fdf1a9038cbaba8e9f3d95951a5d819bffd0b080319fcd12da0516baf54b779e79e437d3
            ec565c64eb5752825f54050f93
            """)
        XCTAssertBytes(Hash.shake256(hex("7d9312ffe94845ac51056c63eb3bff4a94626aafb7470ff86fa88fd8f0fe45c9"),
                                     outputLength: long.count), long)
        XCTAssertBytes(Hash.shake256(hex("""
            1b6facbbeb3206ff68214b3ad5c0fcbcd37ae9e2d84347dfde7c02bc5817559e6afb974859aa58e04121acf60600c7c28ceacaad2b2f
            dd145da87e48bae318d92780d8144adbbcca41eced53936b4ed3663755bcf3f81a943803adf9ec7fade2b8c61627a40e5b44d0
            """), outputLength: 32),
                       hex("1d8599e06e505fea435eb7699b1effdc3fe76864abce4ea446824fff7869ad26"))
        XCTAssertEqual(Hash.shake256([1, 2, 3], outputLength: 0), [])
    }

    // RunningDigest: the value read mid-stream equals the one-shot digest of the prefix, reading
    // it does not disturb the state, and copies are independent. Expected values: SHA-1 "abc"
    // and the NIST two-block message (arti testvec.rs `tv_sha1`), SHA3-256 of "" (`tv_sha3_256`).
    func testRunningDigestState() {
        let d = RunningDigest(.sha1)
        d.update(bytes("ab"))
        d.update(bytes("c"))
        XCTAssertBytes(d.currentDigest(), hex("A9993E364706816ABA3E25717850C26C9CD0D89D"))
        XCTAssertBytes(d.currentDigest(), hex("A9993E364706816ABA3E25717850C26C9CD0D89D"))
        let checkpoint = d.copy()
        bytes("dbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").withUnsafeBytes { d.update($0) }
        XCTAssertBytes(d.currentDigest(), hex("84983E441C3BD26EBAAE4AA1F95129E5E54670F1"))
        XCTAssertBytes(checkpoint.currentDigest(), hex("A9993E364706816ABA3E25717850C26C9CD0D89D"))

        let s3 = RunningDigest(.sha3_256)
        XCTAssertBytes(s3.currentDigest(), hex("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"))
        s3.update([])
        s3.update(hex("e9"))
        XCTAssertBytes(s3.currentDigest(), hex("f0d04dd1e6cfc29a4460d521796852f25d9ef8d28b44ee91ff5b759d72c1e6d6"))
    }
}
