// torpow-bench: Equi-X solves per second of onionctl's solver (interpreted HashX), single thread.
// Benchmarks/pow-bench runs it next to C tor's solver on the same challenges; build with
// `swift build -c release --product torpow-bench`.
//
//   torpow-bench [--solves N]     (default 200; challenges are the 4-byte little-endian counters
//                                  0..<N, as C tor's equix-bench does with its nonces)
import Foundation
import TorPoW

var solves = 200
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--solves":
        guard let v = args.popFirst(), let n = Int(v), n > 0, n <= 1_000_000 else {
            FileHandle.standardError.write("torpow-bench: --solves needs a count in 1...1000000\n".data(using: .utf8)!)
            exit(2)
        }
        solves = n
    default:
        FileHandle.standardError.write("torpow-bench: unknown argument \(a)\n".data(using: .utf8)!)
        exit(2)
    }
}

let solver = EquiXSolver()
var solutions = 0, unusable = 0
let clock = ContinuousClock()
let start = clock.now
for nonce in 0..<UInt32(solves) {
    let challenge = withUnsafeBytes(of: nonce.littleEndian) { Array($0) }
    do { solutions += try solver.solve(challenge: challenge).count } catch { unusable += 1 }
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
print(String(format: "onionctl Equi-X (interpreted HashX): %d solves in %.3f s = %.1f solves/s, %.3f solutions/solve, %d unusable challenges",
             solves, seconds, Double(solves) / seconds, Double(solutions) / Double(solves), unusable))
