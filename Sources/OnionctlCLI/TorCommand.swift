import ArgumentParser
import Foundation
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
        let formatter = ISO8601DateFormatter()
        say("consensus     valid-after \(formatter.string(from: report.validAfter))  fresh-until \(formatter.string(from: report.freshUntil))  valid-until \(formatter.string(from: report.validUntil))")
        say("source        \(report.fetchedConsensus ? "fetched from \(report.consensusSource)" : "disk cache (still fresh)")")
        say("signatures    \(report.signedBy.count) verified: \(report.signedBy.joined(separator: ", "))")
        say("relays        \(report.usableRelays) usable of \(report.relaysInConsensus) in the consensus")
        say("microdescs    \(report.fetchedMicrodescriptors) fetched, \(report.cachedMicrodescriptors) from cache")
        say("guards        \(report.guards.joined(separator: ", "))")
        say("cache         \(report.cacheDirectory)")
        say(String(format: "time          %.2f s", report.seconds))
        for warning in report.warnings { say("warning       \(warning)") }
    }
}
