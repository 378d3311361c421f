import Foundation
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import XCTest

/// Issue 12's scale harness, the small version CI runs: a private network whose directory also
/// lists 1,000 relays that do not exist (`scripts/testnet up --fake-relays 1000`: real signed
/// descriptors from scripts/scale-relays, voted in by the private C tor authorities). The full-size
/// comparison with C tor (7,000 relays) is `Benchmarks/run --only directory`.
final class DirectoryScaleEndToEndTests: XCTestCase {
    static let fakeRelays = 1000

    func testAColdBootstrapPastFailingFallbacksLoadsTheWholeDirectoryBuildsThroughRealRelaysAndRefreshesByDiff() async throws {
        let network = try TestNetwork.fresh("scale", upArguments: ["--devices", "", "--fake-relays", "\(Self.fakeRelays)",
                                                                    "--timeout", "300"])
        defer { network.stop() }
        // Two fallbacks that fail first (closed port, wrong identity), as gone and stale ones do.
        let client = try makeClient("scale-client", networkText: try networkTextWithFailingFallbacks(network))
        let told = Messages()
        await client.directory.setProgressHandler { told.append($0) }

        let cold = try await client.bootstrap()
        XCTAssertTrue(cold.consensusSource.hasPrefix("authority "), "\(cold.consensusSource), \(told.all)")
        XCTAssertEqual(told.all.filter { $0.hasPrefix("consensus from fallback 127.0.0.1:") && $0.contains("failed") }.count, 2,
                       "\(told.all)")
        XCTAssertGreaterThanOrEqual(cold.relaysInConsensus, Self.fakeRelays + 8)
        XCTAssertGreaterThanOrEqual(cold.fetchedMicrodescriptors, Self.fakeRelays, "every relay's microdescriptor, in batches")
        XCTAssertGreaterThanOrEqual(cold.usableRelays, Self.fakeRelays)
        XCTAssertGreaterThan(cold.bytesDownloaded, 0)

        // The relays that do not exist claim no bandwidth: weighted selection never puts one on a path.
        for _ in 0..<3 {
            let circuit = try await client.buildCircuit(length: 3)
            XCTAssertFalse(circuit.hopNames.contains { $0.hasPrefix("fake") }, "\(circuit.hopNames)")
            circuit.destroy()
        }

        // The network votes every 10 s; a refresh asks its directory guards for a diff from the
        // held consensus. Caches fetch a new consensus up to 6 s after fresh-until (C tor: within
        // half an interval), so the refresh waits 7 s past it, as C tor's client (7.5 s here) does.
        // A server that has not computed the diff yet answers with the whole document, so a few are allowed.
        var diffed: BootstrapReport?
        for _ in 0..<8 where diffed == nil {
            let held = try await client.bootstrap()
            try await Task.sleep(for: .seconds(max(1, held.freshUntil.timeIntervalSinceNow + 7)))
            let report = try await client.bootstrap()
            if report.consensusFromDiff { diffed = report }
        }
        let refresh = try XCTUnwrap(diffed, "no refresh of the 1,000-relay consensus came as a diff")
        XCTAssertGreaterThanOrEqual(refresh.relaysInConsensus, Self.fakeRelays + 8)
        XCTAssertGreaterThanOrEqual(refresh.signedBy.count, 2)
        XCTAssertLessThan(refresh.bytesDownloaded, cold.bytesDownloaded / 4,
                          "a diff and the few new microdescriptors instead of the whole directory")
        await client.shutdown()
    }
}
