import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionctlUI
import TorClient

/// `onionctl tor …`: diagnostics of the embedded Tor client.
struct TorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tor", abstract: "Inspect the embedded Tor client.",
        subcommands: [BootstrapCommand.self])
}

/// `onionctl tor bootstrap`: fetch or load the directory and show what the client knows.
struct BootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap", abstract: "Bootstrap the directory (or load it from the cache) and print what the client knows.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = TorClient(configuration: try global.torConfiguration())
        let report: BootstrapReport
        do {
            report = try await client.bootstrap()
        } catch {
            await client.shutdown()
            throw CommandFailure.noDirectory(error)
        }
        await client.shutdown()
        if global.json { try printJSON(report); return }
        say("consensus     valid-after \(report.validAfter.formatted(.iso8601))  fresh-until \(report.freshUntil.formatted(.iso8601))  valid-until \(report.validUntil.formatted(.iso8601))")
        say("source        \(report.fetchedConsensus ? "fetched from \(report.consensusSource)" : "disk cache (still fresh)")")
        if let circuit = report.consensusCircuit { say("circuit       \(circuit)") }
        say("signatures    \(report.signedBy.count) verified: \(report.signedBy.joined(separator: ", "))")
        say("relays        \(report.usableRelays) usable of \(report.relaysInConsensus) in the consensus")
        say("microdescs    \(report.fetchedMicrodescriptors) fetched, \(report.cachedMicrodescriptors) from cache")
        say("guards        \(report.guards.joined(separator: ", "))")
        say("protocols     \(report.supportedProtocols) (supported by onionctl)")
        say("cache         \(report.cacheDirectory)")
        say("time          \(report.seconds.fixed(2)) s")
        for warning in report.warnings { say("warning       \(warning)") }
    }
}
