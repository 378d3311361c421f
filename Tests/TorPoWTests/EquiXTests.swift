import XCTest
@testable import TorPoW

/// Equi-X against C tor's test_crypto_equix vectors (as in arti crates/equix/tests/tor_equix_vectors.rs).
final class EquiXTests: XCTestCase {
    func testVerifyOnly() throws {
        let a = Array("a".utf8)
        XCTAssertNoThrow(try EquiX.verify(challenge: a, solution: .init(indices: [0x2227, 0xa173, 0x365a, 0xb47d, 0x1bb2, 0xa077, 0x0d5e, 0xf25f])))
        XCTAssertThrowsError(try EquiX.verify(challenge: a, solution: .init(indices: [0x1bb2, 0xa077, 0x0d5e, 0xf25f, 0x2220, 0xa173, 0x365a, 0xb47d]))) {
            XCTAssertEqual($0 as? EquiX.Error, .order)
        }
        XCTAssertThrowsError(try EquiX.verify(challenge: a, solution: .init(indices: [0x2220, 0xa173, 0x365a, 0xb47d, 0x1bb2, 0xa077, 0x0d5e, 0xf25f]))) {
            XCTAssertEqual($0 as? EquiX.Error, .partialSum)
        }
    }

    func testSolveVectors() throws {
        let solver = EquiXSolver()
        func check(_ challenge: String, _ expected: [[UInt16]]?, line: UInt = #line) {
            let c = Array(challenge.utf8)
            do {
                let got = try solver.solve(challenge: c)
                guard let expected else { return XCTFail("expected an unusable challenge", line: line) }
                XCTAssertEqual(got.map(\.indices), expected, "challenge \(challenge)", line: line)
                for s in got {
                    XCTAssertNoThrow(try EquiX.verify(challenge: c, solution: s), line: line)
                    var swapped = s.indices; swapped.swapAt(0, 1)
                    XCTAssertThrowsError(try EquiX.verify(challenge: c, solution: .init(indices: swapped)), line: line) {
                        XCTAssertEqual($0 as? EquiX.Error, .order)
                    }
                    var bumped = s.indices; bumped[0] &+= 1
                    if EquiX.Solution(indices: bumped).isCanonicallyOrdered {
                        XCTAssertThrowsError(try EquiX.verify(challenge: c, solution: .init(indices: bumped)), line: line)
                    }
                }
            } catch {
                XCTAssertEqual(error, .challengeUnusable, line: line)
                XCTAssertNil(expected, "challenge \(challenge) should solve", line: line)
            }
        }
        check("bsipdp", nil)
        check("espceob", nil)
        check("zzz", [[0xae21, 0xd392, 0x3215, 0xdd9c, 0x2f08, 0x93df, 0x232c, 0xe5dc]])
        check("rrr", [[0x0873, 0x57a8, 0x73e0, 0x912e, 0x1ca8, 0xad96, 0x9abd, 0xd7de]])
        check("qqq", [])
        check("0123456789", [])
        check("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", [])
        check("", [[0x0098, 0x3a4d, 0xc489, 0xcfba, 0x7ef3, 0xa498, 0xa00f, 0xec20],
                   [0x78d8, 0x8611, 0xa4df, 0xec19, 0x0927, 0xa729, 0x842f, 0xf771],
                   [0x54b5, 0xcc11, 0x1593, 0xe624, 0x9357, 0xb339, 0xb138, 0xed99]])
        check("a", [[0x4b38, 0x8c81, 0x9255, 0xad99, 0x5ce7, 0xeb3e, 0xc635, 0xee38],
                    [0x3f9e, 0x659b, 0x9ae6, 0xb891, 0x63ae, 0x777c, 0x06ca, 0xc593],
                    [0x2227, 0xa173, 0x365a, 0xb47d, 0x1bb2, 0xa077, 0x0d5e, 0xf25f]])
        check("abc", [[0x371f, 0x8865, 0x8189, 0xfbc3, 0x26df, 0xe4c0, 0xab39, 0xfe5a],
                      [0x2101, 0xb88f, 0xc525, 0xccb3, 0x5785, 0xa41e, 0x4fba, 0xed18]])
        check("abce", [[0x4fca, 0x72eb, 0x101f, 0xafab, 0x1add, 0x2d71, 0x75a3, 0xc978],
                       [0x17f1, 0x7aa6, 0x23e3, 0xab00, 0x7e2f, 0x917e, 0x16da, 0xda9e],
                       [0x70ee, 0x7757, 0x8a54, 0xbd2b, 0x90e4, 0xe31e, 0x2085, 0xe47e],
                       [0x62c5, 0x86d1, 0x5752, 0xe1f0, 0x12da, 0x8f33, 0x7336, 0xf161]])
        check("01234567890123456789", [[0x4803, 0x6775, 0xc5c9, 0xd1b0, 0x1bc3, 0xe4f6, 0x4027, 0xf5ad],
                                       [0x5a8a, 0x9542, 0xef99, 0xf0b9, 0x4905, 0x4e29, 0x2da5, 0xfbd5],
                                       [0x4c79, 0xc935, 0x2bcb, 0xcd0f, 0x0362, 0x9fa9, 0xa62e, 0xf83a],
                                       [0x5878, 0x6edf, 0x1e00, 0xf5e3, 0x43de, 0x9212, 0xd01e, 0xfd11],
                                       [0x0b69, 0x2d17, 0x01be, 0x6cb4, 0x0fba, 0x4a9e, 0x8d75, 0xa50f]])
    }

    /// C tor's equix tests.c `test_permutations`: of the 40 320 orderings of a solution's indices,
    /// exactly one verifies.
    func testOnlyOnePermutationVerifies() throws {
        let c = Array("a".utf8)
        let hashX = try HashX(seed: c)
        var idx: [UInt16] = [0x2227, 0xa173, 0x365a, 0xb47d, 0x1bb2, 0xa077, 0x0d5e, 0xf25f]
        var valid = 0
        func permute(_ k: Int) {
            if k == idx.count - 1 {
                if (try? EquiX.verify(hashX: hashX, solution: .init(indices: idx))) != nil { valid += 1 }
                return
            }
            for i in k..<idx.count {
                idx.swapAt(k, i); permute(k + 1); idx.swapAt(k, i)
            }
        }
        permute(0)
        XCTAssertEqual(valid, 1)
    }
}
