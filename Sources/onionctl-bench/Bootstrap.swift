#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TorCircuits
import TorClient

/// The directory-scale case (`Benchmarks/run --only directory`): a cold bootstrap (consensus,
/// certificates, microdescriptors), then the first 3-hop circuit, which is when C tor logs
/// "Bootstrapped 100%". Prints "bootstrapped" when the directory is usable and one JSON line.
func coldBootstrap(_ options: Options) async throws {
    let client = try makeClient(options, fresh: true)
    let started = Date()
    let report = try await client.bootstrap()
    let directorySeconds = Date().timeIntervalSince(started)
    say("bootstrapped")
    let circuit = try await client.buildCircuit(length: 3)
    let readySeconds = Date().timeIntervalSince(started)
    circuit.destroy()
    emit(["mode": .text("bootstrap"), "seconds": .number(readySeconds), "directory_s": .number(directorySeconds),
          "bytes_downloaded": .number(Double(report.bytesDownloaded)),
          "relays": .number(Double(report.relaysInConsensus)), "usable": .number(Double(report.usableRelays)),
          "microdescriptors": .number(Double(report.fetchedMicrodescriptors)),
          "warnings": .text(report.warnings.joined(separator: "; "))])
    await client.shutdown()
}
