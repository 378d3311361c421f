import XCTest
@testable import TorCrypto

final class BlindingTests: XCTestCase {
    // C tor src/test/test_hs_common.c `test_blinding_basics` (period 1234, length 1440); the
    // same values are in arti crates/tor-hscrypto/src/pk.rs `key_blinding_testvec`.
    func testBlindingBasics() throws {
        let a = hex("833990B085C1A688C1D4C8B1F6B56AFAF5A2ECA674449E1D704F83765CCB7BC6")
        XCTAssertBytes(Ed25519Blinding.blindingParameter(publicKey: a, periodNumber: 1234, periodLengthMinutes: 1440),
                       hex("379E50DB31FEE6775ABD0AF6FB7C371E060308F4F847DB09FE4CFE13AF602287"))
        let blinded = try Ed25519Blinding.blindPublicKey(a, periodNumber: 1234, periodLengthMinutes: 1440)
        XCTAssertBytes(blinded, hex("3A50BF210E8F9EE955AE0014F7A6917FB65EBF098A86305ABB508D1A7291B6D5"))
        let factor = Ed25519Blinding.blindingFactor(publicKey: a, periodNumber: 1234, periodLengthMinutes: 1440)
        XCTAssertBytes(try Ed25519Blinding.blindPublicKey(a, factor: factor), blinded)
        XCTAssertEqual(factor[0] & 7, 0)
        XCTAssertEqual(factor[31] & 0xC0, 0x40)
        XCTAssertBytes(Ed25519Blinding.subcredential(publicKey: a, blindedPublicKey: blinded),
                       hex("635D55907816E8D76398A675A50B1C2F3E36B42A5CA77BA3A0441285161AE07D"))
        // A different period gives a different key.
        XCTAssertNotEqual(try Ed25519Blinding.blindPublicKey(a, periodNumber: 1235, periodLengthMinutes: 1440), blinded)
    }

    // C tor src/test/ed25519_vectors.inc: ED25519_PUBLIC_KEYS[i] blinded with
    // ED25519_BLINDING_PARAMS[i] (clamped by the implementation) = ED25519_BLINDED_PUBLIC_KEYS[i].
    func testBlindingVectorsFromCTor() throws {
        let publicKeys = [
            "c2247870536a192d142d056abefca68d6193158e7c1a59c1654c954eccaff894",
            "1519a3b15816a1aafab0b213892026ebf5c0dc232c58b21088d88cb90e9b940d",
            "081faa81992e360ea22c06af1aba096e7a73f1c665bc8b3e4e531c46455fd1dd",
            "73cfa1189a723aad7966137cbffa35140bb40d7e16eae4c40b79b5f0360dd65a",
            "66c1a77104d86461b6f98f73acf3cd229c80624495d2d74d6fda1e940080a96b",
            "d21c294db0e64cb2d8976625786ede1d9754186ae8197a64d72f68c792eecc19",
            "c4d58b4cf85a348ff3d410dd936fa460c4f18da962c01b1963792b9dcc8a6ea6",
            "95126f14d86494020665face03f2d42ee2b312a85bc729903eb17522954a1c4a",
            "95126f14d86494020665face03f2d42ee2b312a85bc729903eb17522954a1c4a",
            "95126f14d86494020665face03f2d42ee2b312a85bc729903eb17522954a1c4a",
        ]
        let params = [
            "54a513898b471d1d448a2f3c55c1de2c0ef718c447b04497eeb999ed32027823",
            "831e9b5325b5d31b7ae6197e9c7a7baf2ec361e08248bce055908971047a2347",
            "ac78a1d46faf3bfbbdc5af5f053dc6dc9023ed78236bec1760dadfd0b2603760",
            "f9c84dc0ac31571507993df94da1b3d28684a12ad14e67d0a068aba5c53019fc",
            "b1fe79d1dec9bc108df69f6612c72812755751f21ecc5af99663b30be8b9081f",
            "81f1512b63ab5fb5c1711a4ec83d379c420574aedffa8c3368e1c3989a3a0084",
            "97f45142597c473a4b0e9a12d64561133ad9e1155fe5a9807fe6af8a93557818",
            "3f44f6a5a92cde816635dfc12ade70539871078d2ff097278be2a555c9859cd0",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "1111111111111111111111111111111111111111111111111111111111111111",
        ]
        let blinded = [
            "1fc1fa4465bd9d4956fdbdc9d3acb3c7019bb8d5606b951c2e1dfe0b42eaeb41",
            "1cbbd4a88ce8f165447f159d9f628ada18674158c4f7c5ead44ce8eb0fa6eb7e",
            "c5419ad133ffde7e0ac882055d942f582054132b092de377d587435722deb028",
            "3e08d0dc291066272e313014bfac4d39ad84aa93c038478a58011f431648105f",
            "59381f06acb6bf1389ba305f70874eed3e0f2ab57cdb7bc69ed59a9b8899ff4d",
            "2b946a484344eb1c17c89dd8b04196a84f3b7222c876a07a4cece85f676f87d9",
            "c6b585129b135f8769df2eba987e76e089e80ba3a2a6729134d3b28008ac098e",
            "0eefdc795b59cabbc194c6174e34ba9451e8355108520554ec285acabebb34ac",
            "312404d06a0a9de489904b18d5233e83a50b225977fa8734f2c897a73c067952",
            "952a908a4a9e0e5176a2549f8f328955aca6817a9fdc59e3acec5dec50838108",
        ]
        for i in 0..<publicKeys.count {
            XCTAssertBytes(try Ed25519Blinding.blindPublicKey(hex(publicKeys[i]), factor: hex(params[i])),
                           hex(blinded[i]), "vector \(i)")
        }
    }

    func testBadInputsThrow() {
        let a = hex("833990B085C1A688C1D4C8B1F6B56AFAF5A2ECA674449E1D704F83765CCB7BC6")
        XCTAssertThrowsError(try Ed25519Blinding.blindPublicKey(Array(a.prefix(31)), factor: a))
        XCTAssertThrowsError(try Ed25519Blinding.blindPublicKey(a, factor: [1, 2]))
        var identity = [UInt8](repeating: 0, count: 32); identity[0] = 1
        XCTAssertThrowsError(try Ed25519Blinding.blindPublicKey(identity, periodNumber: 1, periodLengthMinutes: 1440))
    }
}
