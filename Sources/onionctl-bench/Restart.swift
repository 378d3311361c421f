// onionctl-bench restart: a device reboots under a warm client (issue 15, "device restart → first
// success"). The client reaches the device once (descriptor cached, rendezvous circuit open) and
// prints "first-response"; the driver (Benchmarks/device_restart.py) reboots the device, waits until
// the restarted service's descriptor uploads are answered, and writes "go" on stdin; then the next
// request is timed, with the steps the user would have seen.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OnionService
import Synchronization
import TorClient

/// Progress lines of a timed request ("120 ms phase: detail"), kept in the result JSON.
final class StepLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ event: ConnectionProgress) {
        let line = "\(Int((event.elapsed * 1000).rounded())) ms \(event.phase): \(event.detail)"
        lines.withLock { $0.append(line) }
    }
    var all: [String] { lines.withLock { $0 } }
}

/// How long the driver may take to reboot the device and see its uploads, at most.
let restartDriverBound: Double = 240

func restart(_ client: TorClient, _ address: OnionAddress, _ options: Options) async throws {
    _ = try await request(client, address, path: options.path, timeout: options.timeout)
    say("first-response")
    let go = await Task.detached { readLine() }.value
    guard go == "go" else { throw BenchError("restart: the driver said \(go ?? "nothing") instead of go") }
    let steps = StepLog()
    _ = await client.addProgressHandler { steps.append($0) }
    let started = Date()
    _ = try await request(client, address, path: options.path, timeout: options.timeout)
    let seconds = Date().timeIntervalSince(started)
    emit(["mode": .text("restart"), "seconds": .number(seconds), "steps": .text(steps.all.joined(separator: " | "))])
}
