import XCTest
@testable import TorPoW

/// HashX against the vectors of the original HashX unit tests (tevador's hashx tests.c, the same
/// values as arti crates/hashx/tests/hashx_vectors.rs).
final class HashXTests: XCTestCase {
    let seed1 = Array("This is a test".utf8) + [0]
    let seed2 = Array("Lorem ipsum dolor sit amet".utf8) + [0]

    func testSeed1() throws {
        let h = try HashX(seed: seed1)
        XCTAssertEqual(h.hash(0), 0x98ea_cb7d_5654_2f2b)
        XCTAssertEqual(h.hash(123_456), 0xaf93_7ca6_0ad5_bdae)
        XCTAssertEqual(toHex(h.hashBytes(0)), "2b2f54567dcbea98fdb5d5e5ce9a65983c4a4e35ab1464b1efb61e83b7074bb2")
        XCTAssertEqual(toHex(h.hashBytes(123_456)), "aebdd50aa67c93afb82a4c534603b65e46decd584c55161c526ebc099415ccf1")
    }

    func testSeed2() throws {
        let h = try HashX(seed: seed2)
        XCTAssertEqual(h.hash(123_456), 0xaab0_bbf4_5b15_3dab)
        XCTAssertEqual(h.hash(987_654_321_123_456_789), 0x7432_327c_49f0_fe8d)
        XCTAssertEqual(toHex(h.hashBytes(123_456)), "ab3d155bf4bbb0aa3a71b7801089826186e44300e6932e6ffd287cf302bbb0ba")
        XCTAssertEqual(toHex(h.hashBytes(987_654_321_123_456_789)),
                       "8dfef0497c323274a60d1d93292b68d9a0496379ba407b4341cf868a14d30113")
    }

    /// The generated program meets the requirements it is checked against.
    func testProgramShape() throws {
        let h = try HashX(seed: seed1)
        XCTAssertEqual(h.program.count, 512)
        XCTAssertEqual(h.program.filter { $0.op.rawValue <= HashXOp.mul.rawValue }.count, 192)
    }

    /// arti's `bad_seeds`: two seeds whose programs miss the constraints, between two good ones.
    func testBadSeedsAreRejected() {
        XCTAssertNoThrow(try HashX(seed: [0xf8, 0x05, 0x00, 0x00]))
        XCTAssertThrowsError(try HashX(seed: [0xf9, 0x05, 0x00, 0x00])) {
            XCTAssertEqual($0 as? HashX.Error, .programConstraints)
        }
        XCTAssertThrowsError(try HashX(seed: [0x5d, 0x93, 0x02, 0x00])) {
            XCTAssertEqual($0 as? HashX.Error, .programConstraints)
        }
        XCTAssertNoThrow(try HashX(seed: [0x5e, 0x93, 0x02, 0x00]))
    }

    /// The batch interpreter (many inputs per instruction) agrees with the one-input path on a range
    /// that crosses block boundaries and includes taken branches.
    func testBatchMatchesSingle() throws {
        let h = try HashX(seed: seed2)
        let n = HashX.lanes * 3 + 17
        var batch = [UInt64](repeating: 0, count: n)
        batch.withUnsafeMutableBufferPointer { h.hash(batchFrom: 1000, count: n, into: $0.baseAddress!) }
        for i in 0..<n {
            let bytes = h.hashBytes(UInt64(1000 + i))
            let first = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            XCTAssertEqual(batch[i], first, "input \(1000 + i)")
        }
    }
}
