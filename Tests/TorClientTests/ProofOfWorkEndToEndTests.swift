import Devices
import Foundation
import OnionService
import Synchronization
import TestSupport
import TorCircuits
import TorClient
import TorCrypto
import TorDirectory
import TorProto
import XCTest

/// Issue 16, end to end: a device whose C tor has proof-of-work defenses on (prop 327,
/// `scripts/testnet up --pow-device`: HiddenServicePoWDefensesEnabled 1, one introduction served
/// per second) is flooded with introductions by a bounded load generator on loopback. onionctl,
/// which solves the Equi-X puzzle and raises its effort when an introduction goes unanswered (as C
/// tor does), reaches it; the same client with proof of work turned off does not, in the same time.
/// A reference C tor client (which solves too) makes the same request at the same time, under the
/// same flood: its time is reported for comparison (docs/performance.md), not asserted.
///
/// The flood: `floodWorkers` tasks that, until told to stop, each build a circuit to one of the
/// device's introduction points and send one INTRODUCE1 with no proof of work (a valid handshake
/// with the service, a real rendezvous relay, a cookie nobody waits on), the cheapest attack C
/// tor's priority queue must absorb. Own network: the shared one must not be flooded.
final class ProofOfWorkEndToEndTests: XCTestCase {
    static let floodWorkers = 12
    /// The flood's own bound, whatever happens to the test.
    static let floodBound: TimeInterval = 240
    /// Each request is abandoned after this long.
    static let requestBound: TimeInterval = 150

    struct Outcome: Sendable {
        var name: String
        var seconds: TimeInterval
        var status: Int?
        var error: String?
        var progress: [String]
        var summary: String {
            let result = status.map { "HTTP \($0)" } ?? "error: \(error ?? "?")"
            return "\(name): \(result) after \(String(format: "%.1f", seconds)) s; progress: \(progress.joined(separator: " | "))"
        }
    }

    /// Counts of the flood's introductions.
    final class FloodCounter: Sendable {
        private let counts = Mutex<(acked: Int, failed: Int)>((0, 0))
        func acked() { counts.withLock { $0.acked += 1 } }
        func failed() { counts.withLock { $0.failed += 1 } }
        var value: (acked: Int, failed: Int) { counts.withLock { $0 } }
    }

    private static func request(_ name: String, _ client: TorClient, _ log: ProgressLog,
                                _ device: TestNetwork.Device) async -> Outcome {
        let started = Date()
        var outcome = Outcome(name: name, seconds: 0, status: nil, error: nil, progress: [])
        do {
            let response = try await withTimeout(requestBound, error: TestNetworkError("no answer within \(requestBound) s")) {
                try await fetchHTTP(client, device, "/api/v1/thermostat")
            }
            outcome.status = response.status
        } catch {
            outcome.error = "\(error)"
        }
        outcome.seconds = Date().timeIntervalSince(started)
        outcome.progress = log.all.map { String(format: "%.1fs %@: %@", $0.elapsed, $0.phase.description, $0.detail) }
        return outcome
    }

    /// One flood worker: introductions without proof of work, one circuit each, until `stop`.
    private static func floodWorker(_ client: TorClient, descriptor: HSDescriptorContent, keys: BlindedKeys,
                                    rendezvous: [Relay], worker: Int, stop: Date, counter: FloodCounter) async {
        var n = worker
        while Date() < stop && !Task.isCancelled {
            n += 1
            let point = descriptor.introductionPoints[n % descriptor.introductionPoints.count]
            let relay = rendezvous[n % rendezvous.count]
            do {
                guard let legacy = point.linkSpecifiers.compactMap({ spec -> [UInt8]? in
                    if case let .legacyID(id) = spec { return id } else { return nil }
                }).first else { return }
                let target = ExtendTarget(nickname: "flood intro", linkSpecifiers: point.linkSpecifiers,
                                          rsaIdentity: legacy, ntorOnionKey: point.onionKey)
                let handshake = try HsNtorClient(introductionPoint: point, subcredential: keys.subcredential)
                let body = try handshake.introduce1Body(rendezvousCookie: HsNtorClient.makeRendezvousCookie(),
                                                        rendezvousOnionKey: relay.microdescriptor.ntorOnionKey,
                                                        rendezvousLinkSpecifiers: relay.extendTarget.linkSpecifiers)
                let circuit = try await client.buildCircuit(hops: 3, endingAt: target)
                defer { circuit.destroy() }
                try circuit.send(RelayMessage(command: .introduce1, data: body), toHop: circuit.hopCount - 1,
                                 expecting: [.introduceAck])
                _ = try await circuit.nextMessage(timeout: 20, what: "flood INTRODUCE_ACK")
                counter.acked()
            } catch {
                counter.failed()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// `floodWorkers` workers until `floodBound` has passed or the task is cancelled.
    private static func startFlood(_ client: TorClient, descriptor: HSDescriptorContent, keys: BlindedKeys,
                                   rendezvous: [Relay], counter: FloodCounter) -> Task<Void, Never> {
        let stop = Date().addingTimeInterval(floodBound)
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<floodWorkers {
                    group.addTask {
                        await floodWorker(client, descriptor: descriptor, keys: keys, rendezvous: rendezvous,
                                          worker: worker, stop: stop, counter: counter)
                    }
                }
            }
        }
    }

    /// The requests of several clients at the same time, outcomes in the given order.
    private static func requestTogether(_ clients: [(String, TorClient, ProgressLog)],
                                        _ device: TestNetwork.Device) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, (name, client, log)) in clients.enumerated() {
                group.addTask { (index, await request(name, client, log, device)) }
            }
            var outcomes = [Outcome?](repeating: nil, count: clients.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.compactMap { $0 }
        }
    }

    /// A reference C tor client of the network (bootstrapped), its SOCKS port; nil if it did not start.
    private static func startCTorClient(_ network: TestNetwork) -> Int? {
        let run = try? runBounded("/usr/bin/env", ["python3", TestNetwork.repositoryRoot.appendingPathComponent("scripts/testnet").path,
                                                   "client", "--dir", network.directory.path, "--name", "ctor-pow",
                                                   "--no-auth", "--timeout", "90"], timeout: 120)
        guard let run, run.status == 0 else { return nil }
        return Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// GET through C tor's SOCKS port with curl, on a dispatch thread (curl blocks), bounded.
    private static func requestThroughCTor(socksPort: Int, _ device: TestNetwork.Device) async -> Outcome {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let started = Date()
                let run = try? runBounded("/usr/bin/env", [
                    "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "\(Int(requestBound))",
                    "--socks5-hostname", "127.0.0.1:\(socksPort)", "http://\(device.onion)/api/v1/thermostat",
                ], timeout: requestBound + 15)
                let code = run.flatMap { Int($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
                continuation.resume(returning: Outcome(
                    name: "C tor client", seconds: Date().timeIntervalSince(started), status: code == 200 ? 200 : nil,
                    error: code == 200 ? nil : "curl exit \(run?.status ?? -1), HTTP \(code ?? 0)", progress: []))
            }
        }
    }

    private static func startCTorRequest(socksPort: Int?, _ device: TestNetwork.Device) -> Task<Outcome?, Never> {
        Task {
            guard let socksPort else { return nil }
            return await requestThroughCTor(socksPort: socksPort, device)
        }
    }

    func testProofOfWorkClientReachesAFloodedDeviceAndAClientWithoutDoesNot() async throws {
        let network = try TestNetwork.fresh("pow", upArguments: ["--devices", "", "--pow-device"])
        defer { network.stop() }
        let device = try network.device("besieged")
        XCTAssertEqual(device.pow, true, "the device has no proof-of-work defenses")
        let address = try OnionAddress(device.onion)

        // The attacker learns the descriptor the honest way (the device is idle: no PoW needed).
        let attacker = try makeClient("pow-attacker", network: network)
        let warm = try await fetchHTTP(attacker, device, "/api/v1/thermostat")
        XCTAssertEqual(warm.status, 200)
        let cached = await attacker.cachedDescriptor(for: address)
        let descriptor = try XCTUnwrap(cached, "no descriptor after reaching the device")
        let params = try XCTUnwrap(descriptor.powParams.first { $0.type == "v1" }, "the descriptor has no pow-params v1")
        XCTAssertEqual(params.seed?.count, 32)
        let directory = try await attacker.netDirectory()
        let consensus = directory.consensus
        let period = try TimePeriod(validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
                                    hsdirIntervalMinutes: Int(consensus.params.hsdirInterval),
                                    testingNetwork: directory.isTestingNetwork)
        let keys = try BlindedKeys(address: address, period: period)
        let rendezvousRelays = directory.relays.filter { $0.flags.contains(.fast) }
        XCTAssertFalse(rendezvousRelays.isEmpty)

        // The two clients bootstrap before the attack starts.
        let solver = try makeClient("pow-solver", network: network)
        let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
        let base = makeTemporaryDirectory("pow-none")
        var noPoWConfig = TorClientConfiguration(network: config, paths: TorPaths(
            cacheDirectory: base.appendingPathComponent("cache"), stateDirectory: base.appendingPathComponent("state")))
        noPoWConfig.proofOfWorkBudget = .zero
        let plain = TorClient(configuration: noPoWConfig)
        _ = try await solver.netDirectory()
        _ = try await plain.netDirectory()
        let ctorPort = Self.startCTorClient(network)
        let solverLog = ProgressLog(), plainLog = ProgressLog()
        await solver.addProgressHandler { solverLog.append($0) }
        await plain.addProgressHandler { plainLog.append($0) }

        // The flood, bounded in time; a few seconds to fill the service's queue first.
        let counter = FloodCounter()
        let flood = Self.startFlood(attacker, descriptor: descriptor, keys: keys, rendezvous: rendezvousRelays,
                                    counter: counter)
        try await Task.sleep(for: .seconds(8))
        let before = counter.value
        XCTAssertGreaterThan(before.acked, 8, "the flood does not get introductions through (\(before))")

        let ctorRequest = Self.startCTorRequest(socksPort: ctorPort, device)
        let outcomes = await Self.requestTogether([("onionctl with proof of work", solver, solverLog),
                                                   ("onionctl without proof of work", plain, plainLog)], device)
        let ctor = await ctorRequest.value
        flood.cancel()
        await flood.value
        let after = counter.value
        let report = outcomes.map(\.summary).joined(separator: "\n")
            + "\n" + (ctor?.summary ?? "C tor client: did not start")
            + "\nflood: \(after.acked) introductions acknowledged, \(after.failed) failed"
        print("proof of work under attack:\n\(report)")

        XCTAssertEqual(outcomes[0].status, 200, "the proof-of-work client must reach the flooded device:\n\(report)")
        XCTAssertTrue(outcomes[0].progress.contains { $0.contains("solving a proof of work, effort") },
                      "the client never reported solving a proof of work:\n\(report)")
        XCTAssertNil(outcomes[1].status, "without proof of work the flooded device should not be reachable "
                     + "(is the flood strong enough?):\n\(report)")
        await attacker.shutdown()
        await solver.shutdown()
        await plain.shutdown()
    }
}

