import XCTest
@testable import TorPoW

/// The v1 onion-service puzzle against C tor's vectors: test_hs_pow.c (encoding and verification of
/// INTRODUCE1's PoW extension) and test_hs_pow_slow.c (solving from a given starting nonce).
final class OnionServicePoWTests: XCTestCase {
    struct SolveVector {
        let effort: UInt32
        let startNonce: String
        let seed: String
        let blindedId: String
        let nonce: String
        let solution: String
    }

    static let solveVectors: [SolveVector] = [
        SolveVector(effort: 0, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "55555555555555555555555555555555", solution: "4312f87ceab844c78e1c793a913812d7"),
        SolveVector(effort: 1, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "55555555555555555555555555555555", solution: "84355542ab2b3f79532ef055144ac5ab"),
        SolveVector(effort: 1, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111110",
                    nonce: "55555555555555555555555555555555", solution: "115e4b70da858792fc205030b8c83af9"),
        SolveVector(effort: 2, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "55555555555555555555555555555555", solution: "4600a93a535ed76dc746c99942ab7de2"),
        SolveVector(effort: 10, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "56555555555555555555555555555555", solution: "128bbda5df2929c3be086de2aad34aed"),
        SolveVector(effort: 10, startNonce: "ffffffffffffffffffffffffffffffff",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "01000000000000000000000000000000", solution: "203af985537fadb23f3ed5873b4c81ce"),
        SolveVector(effort: 1337, startNonce: "7fffffffffffffffffffffffffffffff",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "4111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "01000000000000000000000000000000", solution: "31c377cb72796ed80ae77df6ac1d6bfd"),
        SolveVector(effort: 31337, startNonce: "34a20000000000000000000000000000",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "36a20000000000000000000000000000", solution: "ca6899b91113aaf7536f28db42526bff"),
        SolveVector(effort: 100, startNonce: "55555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "56555555555555555555555555555555", solution: "3a4122a240bd7abfc922ab3cbb9479ed"),
        SolveVector(effort: 1000, startNonce: "d3555555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "d4555555555555555555555555555555", solution: "338cc08f57697ce8ac2e4b453057d6e9"),
        SolveVector(effort: 10000, startNonce: "c5715555555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "c8715555555555555555555555555555", solution: "9f2d3d4ed831ac96ad34c25fb59ff3e2"),
        SolveVector(effort: 100000, startNonce: "418d5655555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "428d5655555555555555555555555555", solution: "9863f3acd2d15adfd244a7ca61d4c6ff"),
        SolveVector(effort: 1000000, startNonce: "58217255555555555555555555555555",
                    seed: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    blindedId: "1111111111111111111111111111111111111111111111111111111111111111",
                    nonce: "59217255555555555555555555555555", solution: "0f3db97b9cac20c1771680a1a34848d3"),
        SolveVector(effort: 1, startNonce: "d0aec1669384bfe5ed39cd724d6c7954",
                    seed: "c52be1f8a5e6cc3b8fb71cfdbe272cbc91d4d035400f2f94fb0d0074794e0a07",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "d1aec1669384bfe5ed39cd724d6c7954", solution: "462606e5f8c2f3f844127b8bfdd6b4ff"),
        SolveVector(effort: 1, startNonce: "b4d0e611e6935750fcf9406aae131f62",
                    seed: "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "b4d0e611e6935750fcf9406aae131f62", solution: "9f3fbd50b1a83fb63284bde44318c0fd"),
        SolveVector(effort: 1, startNonce: "b4d0e611e6935750fcf9406aae131f62",
                    seed: "9dfbd06d86fed8e12de3ab214e1a63ea61f46253fe08346a20378da70c4a327d",
                    blindedId: "bec632eb76123956f99a06d394fcbee8f135b8ed01f2e90aabe404cb0346744a",
                    nonce: "b4d0e611e6935750fcf9406aae131f62", solution: "161baa7490356292d020065fdbe55ffc"),
        SolveVector(effort: 1, startNonce: "40559fdbc34326d9d2f18ed277469c63",
                    seed: "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "40559fdbc34326d9d2f18ed277469c63", solution: "fa649c6a2c5c0bb6a3511b9ea4b448d1"),
        SolveVector(effort: 10000, startNonce: "34569fdbc34326d9d2f18ed277469c63",
                    seed: "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "36569fdbc34326d9d2f18ed277469c63", solution: "2802951e623c74adc443ab93e99633ee"),
        SolveVector(effort: 100000, startNonce: "2cff9fdbc34326d9d2f18ed277469c63",
                    seed: "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "2eff9fdbc34326d9d2f18ed277469c63", solution: "400cb091139f86b352119f6e131802d6"),
        SolveVector(effort: 1000000, startNonce: "5243b3dbc34326d9d2f18ed277469c63",
                    seed: "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
                    blindedId: "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
                    nonce: "5543b3dbc34326d9d2f18ed277469c63", solution: "b47c718b56315e9697173a6bac1feaa4"),
    ]

    /// Solving from C tor's starting nonce finds C tor's nonce and solution; each verifies, and
    /// corrupting the nonce or the solution fails verification.
    func testSolveVectors() throws {
        let solver = EquiXSolver()
        for v in Self.solveVectors {
            let inputs = OnionServicePoW.Inputs(blindedId: hex(v.blindedId), seed: hex(v.seed), effort: v.effort)
            let s: OnionServicePoW.Solution
            do {
                s = try OnionServicePoW.solve(inputs, startingNonce: hex(v.startNonce), solver: solver,
                                              keepGoing: { $0 < 256 })
            } catch {
                XCTFail("effort \(v.effort) from \(v.startNonce): \(error)")
                continue
            }
            XCTAssertEqual(toHex(s.nonce), v.nonce, "effort \(v.effort)")
            XCTAssertEqual(toHex(s.equiX.bytes), v.solution, "effort \(v.effort)")
            XCTAssertEqual(s.seedHead, Array(hex(v.seed).prefix(4)))
            XCTAssertNoThrow(try OnionServicePoW.verify(s, blindedId: hex(v.blindedId), seed: hex(v.seed)))
            var badNonce = s
            badNonce.nonce[3] &+= 1
            XCTAssertThrowsError(try OnionServicePoW.verify(badNonce, blindedId: hex(v.blindedId), seed: hex(v.seed)))
        }
    }

    /// test_hs_pow.c: the extension's bytes for a solution, and whether the service accepts it.
    func testExtensionVectors() throws {
        // (claimed effort, valid, seed, blinded id, nonce, solution, encoded extension body)
        let vectors: [(UInt32, Bool, String, String, String, String, String)] = [
            (1, false, String(repeating: "0", count: 64), String(repeating: "1", count: 64),
             String(repeating: "0", count: 32), String(repeating: "0", count: 32),
             "01" + String(repeating: "0", count: 32) + "00000001" + "00000000" + String(repeating: "0", count: 32)),
            (0, true, String(repeating: "a", count: 64), String(repeating: "1", count: 64),
             "55555555555555555555555555555555", "4312f87ceab844c78e1c793a913812d7",
             "01" + "55555555555555555555555555555555" + "00000000" + "aaaaaaaa" + "4312f87ceab844c78e1c793a913812d7"),
            (1_000_000, true, String(repeating: "a", count: 64), String(repeating: "1", count: 64),
             "59217255555555555555555555555555", "0f3db97b9cac20c1771680a1a34848d3",
             "01" + "59217255555555555555555555555555" + "000f4240" + "aaaaaaaa" + "0f3db97b9cac20c1771680a1a34848d3"),
            (99999, false, "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
             "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
             "2eff9fdbc34326d9d2f18ed277469c63", "400cb091139f86b352119f6e131802d6",
             "01" + "2eff9fdbc34326d9d2f18ed277469c63" + "0001869f" + "86fb0acf" + "400cb091139f86b352119f6e131802d6"),
            (100_000, false, "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
             "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
             "2eff9fdbc34326d9a2f18ed277469c63", "400cb091139f86b352119f6e131802d6",
             "01" + "2eff9fdbc34326d9a2f18ed277469c63" + "000186a0" + "86fb0acf" + "400cb091139f86b352119f6e131802d6"),
            (100_000, true, "86fb0acf4932cda44dbb451282f415479462dd10cb97ff5e7e8e2a53c3767a7f",
             "bfd298428562e530c52bdb36d81a0e293ef4a0e94d787f0f8c0c611f4f9e78ed",
             "2eff9fdbc34326d9d2f18ed277469c63", "400cb091139f86b352119f6e131802d6",
             "01" + "2eff9fdbc34326d9d2f18ed277469c63" + "000186a0" + "86fb0acf" + "400cb091139f86b352119f6e131802d6"),
        ]
        for (effort, valid, seed, id, nonce, sol, encoded) in vectors {
            let s = OnionServicePoW.Solution(nonce: hex(nonce), effort: effort, seedHead: Array(hex(seed).prefix(4)),
                                             equiX: EquiX.Solution(bytes: hex(sol))!)
            XCTAssertEqual(toHex(s.extensionBody), encoded)
            XCTAssertEqual(try OnionServicePoW.Solution(extensionBody: hex(encoded)), s)
            let accepted = (try? OnionServicePoW.verify(s, blindedId: hex(id), seed: hex(seed))) != nil
            XCTAssertEqual(accepted, valid, "effort \(effort) nonce \(nonce)")
        }
    }

    func testMalformedExtensionIsRefused() {
        XCTAssertThrowsError(try OnionServicePoW.Solution(extensionBody: [1, 2, 3])) {
            XCTAssertEqual($0 as? OnionServicePoW.Error, .malformedExtension("length 3, expected 41"))
        }
        XCTAssertThrowsError(try OnionServicePoW.Solution(extensionBody: [2] + [UInt8](repeating: 0, count: 40))) {
            XCTAssertEqual($0 as? OnionServicePoW.Error, .malformedExtension("scheme 2, expected 1"))
        }
    }

    /// The solver stops when told to, reporting how far it got.
    func testSolverStopsWhenAsked() {
        let inputs = OnionServicePoW.Inputs(blindedId: [UInt8](repeating: 1, count: 32),
                                            seed: [UInt8](repeating: 2, count: 32), effort: 1_000_000_000)
        XCTAssertThrowsError(try OnionServicePoW.solve(inputs, keepGoing: { $0 < 2 })) {
            XCTAssertEqual($0 as? OnionServicePoW.Error, .stopped(noncesTried: 2))
        }
    }

    /// C tor's client effort rule (hs_client.c): capped at 10 000; each retry doubles below 1000,
    /// then ×1.5; at least 8 on a retry.
    func testEffortRule() {
        XCTAssertEqual(OnionServicePoW.effort(suggested: 0, retries: 0), 0)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 0, retries: 1), 8)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 0, retries: 2), 16)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 120, retries: 0), 120)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 600, retries: 1), 1200)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 1200, retries: 1), 1800)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 9000, retries: 1), 10_000)
        XCTAssertEqual(OnionServicePoW.effort(suggested: 50_000, retries: 0), 10_000)
    }
}

final class BackgroundSolveTests: XCTestCase {
    let inputs = OnionServicePoW.Inputs(blindedId: [UInt8](repeating: 7, count: 32),
                                        seed: [UInt8](repeating: 9, count: 32), effort: 4)

    /// A low effort is solved within a generous budget on one thread and on several (each from its
    /// own random nonce, the first solution wins), and the result verifies.
    func testSolvesWithinBudget() async throws {
        for threads in [1, 2, 3] {
            let s = try await OnionServicePoW.solve(inputs, budget: .seconds(120), threads: threads)
            let solution = try XCTUnwrap(s, "no solution on \(threads) threads")
            XCTAssertEqual(solution.effort, 4)
            XCTAssertEqual(solution.seedHead, Array(inputs.seed.prefix(4)))
            XCTAssertNoThrow(try OnionServicePoW.verify(solution, blindedId: inputs.blindedId, seed: inputs.seed),
                             "\(threads) threads")
        }
    }

    /// Threads searching in parallel start from different nonces (two solves never return the
    /// same nonce), so they never duplicate each other's work.
    func testParallelSolvesStartFromDifferentNonces() async throws {
        var easy = inputs
        easy.effort = 1
        var nonces = Set<[UInt8]>()
        for _ in 0..<3 {
            let s = try await OnionServicePoW.solve(easy, budget: .seconds(120), threads: 2)
            nonces.insert(try XCTUnwrap(s).nonce)
        }
        XCTAssertEqual(nonces.count, 3)
    }

    /// An effort far beyond the budget gives up with nil.
    func testBudgetRunsOut() async throws {
        var hard = inputs
        hard.effort = .max
        let s = try await OnionServicePoW.solve(hard, budget: .milliseconds(200))
        XCTAssertNil(s)
    }

    /// Cancelling the task stops the solver and throws CancellationError.
    func testCancellation() async {
        var hard = inputs
        hard.effort = .max
        let task = Task { try await OnionServicePoW.solve(hard, budget: .seconds(600), threads: 2) }
        try? await Task.sleep(for: .milliseconds(100))
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
    }
}
