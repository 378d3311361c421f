// torpow-bench: Equi-X solves per second of onionctl's solver (interpreted HashX).
// Benchmarks/pow-bench runs it next to C tor's solver on the same challenges; build with
// `swift build -c release --product torpow-bench`.
//
//   torpow-bench [--solves N] [--threads T]
//       challenges are the 4-byte little-endian counters 0..<N (default 200), as C tor's
//       equix-bench does with its nonces; with T threads (default 1), thread t solves the
//       counters t, t+T, ... with its own solver, as the client's parallel search does.
import Foundation
import TorPoW

var solves = 200
var threads = 1
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--solves":
        guard let v = args.popFirst(), let n = Int(v), n > 0, n <= 1_000_000 else {
            FileHandle.standardError.write("torpow-bench: --solves needs a count in 1...1000000\n".data(using: .utf8)!)
            exit(2)
        }
        solves = n
    case "--threads":
        guard let v = args.popFirst(), let n = Int(v), n > 0, n <= 64 else {
            FileHandle.standardError.write("torpow-bench: --threads needs a count in 1...64\n".data(using: .utf8)!)
            exit(2)
        }
        threads = n
    default:
        FileHandle.standardError.write("torpow-bench: unknown argument \(a)\n".data(using: .utf8)!)
        exit(2)
    }
}

/// Solutions and unusable challenges per thread (each thread writes only its own slot).
final class Tally: @unchecked Sendable {
    let solutions: UnsafeMutablePointer<Int>
    let unusable: UnsafeMutablePointer<Int>
    init(_ n: Int) {
        solutions = .allocate(capacity: n); solutions.initialize(repeating: 0, count: n)
        unusable = .allocate(capacity: n); unusable.initialize(repeating: 0, count: n)
    }
}
let tally = Tally(threads)
let (solveCount, threadCount) = (solves, threads)
let clock = ContinuousClock()
let start = clock.now
// Each thread writes only its own slot; the counts are read after all have joined.
DispatchQueue.concurrentPerform(iterations: threadCount) { t in
    let solver = EquiXSolver()
    for nonce in stride(from: UInt32(t), to: UInt32(solveCount), by: threadCount) {
        let challenge = withUnsafeBytes(of: nonce.littleEndian) { Array($0) }
        do { tally.solutions[t] += try solver.solve(challenge: challenge).count } catch { tally.unusable[t] += 1 }
    }
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
let solutions = (0..<threads).reduce(0) { $0 + tally.solutions[$1] }
let unusable = (0..<threads).reduce(0) { $0 + tally.unusable[$1] }
print(String(format: "onionctl Equi-X (interpreted HashX, %d thread%@): %d solves in %.3f s = %.1f solves/s, %.3f solutions/solve, %d unusable challenges",
             threads, threads == 1 ? "" : "s", solves, seconds, Double(solves) / seconds, Double(solutions) / Double(solves), unusable))
