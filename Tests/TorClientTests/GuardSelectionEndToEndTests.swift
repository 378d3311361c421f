import Foundation
import Synchronization
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import TorProto
import XCTest

/// Prop 271 guard selection end to end (issue 13): with its three primary guards killed the client
/// moves on to the next guard of its sample, and once they are back and the primary retry delay
/// (10 minutes, on a clock the test moves) has passed it returns to its first primary guard.
final class GuardSelectionEndToEndTests: XCTestCase {
    private final class MovableClock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
        var function: @Sendable () -> Date { { Date().addingTimeInterval(self.offset.withLock { $0 }) } }
    }

    /// Builds a 3-hop circuit, retrying while relays come and go; returns its guard's nickname.
    private func guardOfNewCircuit(_ client: TorClient, attempts: Int = 12) async -> (String?, [String]) {
        var errors = [String]()
        for _ in 0..<attempts {
            do {
                let circuit = try await client.buildCircuit(length: 3)
                defer { circuit.destroy() }
                return (String(circuit.hopNames[0].split(separator: "~")[0]), errors)
            } catch {
                errors.append("\(error)")
                try? await Task.sleep(for: .seconds(2))
            }
        }
        return (nil, errors)
    }

    func testPrimaryGuardsKilledThenBack() async throws {
        let network = try TestNetwork.fresh("guards", upArguments: ["--devices", ""])
        defer { network.stop() }
        let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
        let paths = temporaryPaths("guards-e2e")
        // The three primary guards are seeded among the non-authority relays, so killing them
        // leaves the consensus going; the rest of the sample is drawn by the client.
        let probe = TorClient(configuration: TorClientConfiguration(network: config, paths: paths))
        let relays = try await probe.netDirectory().relays.filter { !$0.nickname.hasPrefix("auth") && GuardSet.isPossibleGuard($0) }
        await probe.shutdown()
        XCTAssertGreaterThanOrEqual(relays.count, 4)
        let primaries = Array(relays.shuffled().prefix(3))
        var seeded = GuardState()
        seeded.sampled = primaries.map {
            GuardState.Sampled(rsaIdentity: hexString($0.rsaIdentity), nickname: $0.nickname,
                               addedOn: Date().addingTimeInterval(-86_400), isListed: true)
        }
        try FileManager.default.createDirectory(at: paths.stateDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(seeded).write(to: paths.stateDirectory.appendingPathComponent("guards.json"))

        let clock = MovableClock()
        let client = TorClient(configuration: TorClientConfiguration(network: config, paths: paths), guardClock: clock.function)
        defer { Task { await client.shutdown() } }
        let (first, firstErrors) = await guardOfNewCircuit(client)
        let problem = await client.guards.loadProblem
        XCTAssertNil(problem)
        let sampled = await client.guards.status().map { "\($0.nickname)\($0.isPrimary ? "*" : "")" }
        XCTAssertEqual(first, primaries[0].nickname, "the first primary guard (sampled: \(sampled)), errors: \(firstErrors)")

        for relay in primaries { try network.harness(["kill-relay", relay.nickname]) }
        var restarted = false
        defer { if !restarted { for relay in primaries { _ = try? network.harness(["start-relay", relay.nickname]) } } }
        let (fallback, fallbackErrors) = await guardOfNewCircuit(client)
        let fallbackName = try XCTUnwrap(fallback, "no circuit with the primary guards down: \(fallbackErrors)")
        XCTAssertFalse(primaries.map(\.nickname).contains(fallbackName), "\(fallbackName) is one of the killed primaries")
        let down = await client.guards.status()
        for relay in primaries.prefix(1) {
            XCTAssertEqual(down.first { $0.nickname == relay.nickname }?.reachable, .no, "\(relay.nickname)")
        }
        let fallbackStatus = try XCTUnwrap(down.first { $0.nickname == fallbackName })
        XCTAssertTrue(fallbackStatus.isConfirmed)
        XCTAssertTrue(fallbackStatus.isPrimary, "a confirmed guard displaces an unconfirmed primary")

        for relay in primaries { try network.harness(["start-relay", relay.nickname]) }
        restarted = true
        // Within the primary retry delay the fallback keeps serving...
        let (meanwhile, _) = await guardOfNewCircuit(client)
        XCTAssertEqual(meanwhile, fallbackName)
        // ...and once it has passed the first primary guard is back in use.
        clock.advance(11 * 60)
        let (back, backErrors) = await guardOfNewCircuit(client)
        XCTAssertEqual(back, primaries[0].nickname, "errors: \(backErrors)")
        let after = await client.guards.status()
        XCTAssertEqual(after.first?.nickname, primaries[0].nickname)
        XCTAssertEqual(after.first?.reachable, .yes)
    }
}
