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
        for line in Self.guardLines(report) { say(line) }
        if let timeout = report.circuitBuildTimeout { say("circuit build \(timeout.summary)") }
        say("protocols     \(report.supportedProtocols) (supported by onionctl)")
        say("cache         \(report.cacheDirectory)")
        say("time          \(report.seconds.fixed(2)) s")
        for warning in report.warnings { say("warning       \(warning)") }
    }

    /// The guard and vanguard part of the report: primary guards in order with what is known of
    /// them, the size of the sample, the confirmed guards, the layer-2 vanguards with their expiry.
    static func guardLines(_ report: BootstrapReport) -> [String] {
        func time(_ date: Date) -> String { date.formatted(.iso8601) }
        func state(_ entry: GuardReport) -> String {
            switch entry.reachable {
            case "yes": return "reachable"
            case "no": return "unreachable" + (entry.retryAt.map { ", retry after \(time($0))" } ?? "")
            default: return entry.listed ? "not tried yet" : "not in the consensus"
            }
        }
        var lines = [String]()
        let primary = report.guardState.filter(\.primary)
        if primary.isEmpty {
            lines.append("guards        \(report.guards.isEmpty ? "none chosen yet" : report.guards.joined(separator: ", "))")
        } else {
            for (index, entry) in primary.enumerated() {
                lines.append("\(index == 0 ? "guards        " : "              ")primary \(index + 1): \(entry.nickname) \(entry.fingerprint.prefix(8)) (\(state(entry))\(entry.confirmed ? ", confirmed" : ""))")
            }
            let confirmed = report.guardState.filter(\.confirmed).map(\.nickname)
            let unreachable = report.guardState.filter { !$0.primary && $0.reachable == "no" }.count
            lines.append("              sampled \(report.guardState.count), confirmed \(confirmed.isEmpty ? "none yet" : confirmed.joined(separator: ", "))"
                         + (unreachable > 0 ? ", \(unreachable) other unreachable" : ""))
        }
        if !report.vanguards.isEmpty {
            for (index, entry) in report.vanguards.enumerated() {
                lines.append("\(index == 0 ? "vanguards     " : "              ")layer 2: \(entry.nickname) \(entry.fingerprint.prefix(8)) until \(time(entry.expires))")
            }
        }
        return lines
    }
}
