import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import XCTest

/// The adaptive circuit build timeout end to end (issue 13): a client on the private network
/// learns its timeout from its first `cbtmincircs` circuits (C tor's 100), reports it, persists
/// it in its state directory, and a new client on the same state directory starts with it.
final class CircuitBuildTimeoutEndToEndTests: XCTestCase {
    func testTimeoutIsLearnedReportedPersistedAndReloaded() async throws {
        let network = try TestNetwork.shared()
        let paths = temporaryPaths("cbt-e2e")
        let client = try makeClient("cbt-e2e", network: network, paths: paths)
        let before = try await client.bootstrap()
        let learning = try XCTUnwrap(before.circuitBuildTimeout)
        XCTAssertFalse(learning.learned)
        XCTAssertEqual(learning.timeoutSeconds, 60, "C tor's initial timeout until one is learned")
        XCTAssertEqual(learning.recordedBuilds, 0)
        let needed = learning.neededBuilds
        XCTAssertEqual(needed, 100)
        XCTAssertTrue(learning.summary.contains("learning: 0 of 100 builds"), learning.summary)

        var built = 0
        var errors = [String]()
        for _ in 0..<(needed + 40) where client.builder.timeouts.status.recorded < needed {
            do {
                let circuit = try await client.buildCircuit(length: 3)
                circuit.destroy()
                built += 1
            } catch {
                errors.append("\(error)")
            }
        }
        let status = client.builder.timeouts.status
        XCTAssertGreaterThanOrEqual(status.recorded, needed, "\(built) circuits built; errors: \(errors.suffix(5))")
        XCTAssertTrue(status.isLearned)
        XCTAssertLessThan(status.timeout, 60, "the loopback network is faster than the initial timeout")
        XCTAssertGreaterThanOrEqual(status.timeout, 0.01, "never below cbtmintimeout")
        // The onion-service client paces its parallel HSDir attempts with it.
        let asNetwork: any OnionServiceNetwork = client
        let paced = await asNetwork.learnedCircuitBuildTimeout()
        XCTAssertEqual(paced, status.timeout)
        let learnedReport = try await client.bootstrap()
        let report = try XCTUnwrap(learnedReport.circuitBuildTimeout)
        XCTAssertTrue(report.learned)
        XCTAssertNotNil(report.xmMilliseconds)
        XCTAssertTrue(report.summary.contains("learned from"), report.summary)
        await client.shutdown()

        // Saved every 10 build times, and the rest at shutdown: every time is on disk.
        let file = paths.stateDirectory.appendingPathComponent(TorClient.circuitTimeoutsFile)
        let stored = try CircuitTimeoutState.load(Data(contentsOf: file)).get()
        XCTAssertGreaterThanOrEqual(stored.buildTimesMs.count, status.recorded)

        let reloaded = try makeClient("cbt-e2e-2", network: network, paths: paths)
        defer { Task { await reloaded.shutdown() } }
        XCTAssertNil(reloaded.builder.timeouts.loadProblem)
        let reloadedReport = try await reloaded.bootstrap()
        let again = try XCTUnwrap(reloadedReport.circuitBuildTimeout)
        XCTAssertTrue(again.learned, again.summary)
        XCTAssertEqual(again.recordedBuilds, stored.buildTimesMs.count)
        XCTAssertLessThan(again.timeoutSeconds, 60)
        // The reloaded timeout bounds new circuits: one still builds.
        let circuit = try await reloaded.buildCircuit(length: 3)
        circuit.destroy()
    }
}
