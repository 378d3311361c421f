import Devices
import Foundation
import OnionService
import Synchronization
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import XCTest

/// Parallel HSDir attempts end to end (issue 13), against the C tor HSDirs and a real device of
/// the private network: the first HSDir asked never answers (the circuit to it hangs, as to an
/// unreachable relay whose connection is silently dropped), so after the stagger (1 s: the
/// network here reports a learned 0.5 s circuit build timeout) a second HSDir is asked, its
/// descriptor is used, and the silent attempt is cancelled.
final class ParallelHSDirEndToEndTests: XCTestCase {
    /// The client's network, except that the first HSDir circuit hangs until cancelled.
    private final class FirstHSDirSilent: OnionServiceNetwork, Sendable {
        let client: TorClient
        /// (HSDir nickname, what happened), in the order the fetches started.
        let fetches = Mutex<[(hsdir: String, outcome: String)]>([])

        init(client: TorClient) { self.client = client }

        func netDirectory() async throws -> NetDirectory { try await client.netDirectory() }

        func learnedCircuitBuildTimeout() async -> TimeInterval? { 0.5 }

        func buildCircuit(hops: Int, endingAt lastHop: ExtendTarget) async throws -> Circuit {
            // Introduction circuits come only after a descriptor: before it, 4 hops is an HSDir fetch.
            let isHSDirFetch = hops == 4 && fetches.withLock { list in !list.contains { $0.outcome == "answered" } }
            guard isHSDirFetch else { return try await client.buildCircuit(hops: hops, endingAt: lastHop) }
            let index = fetches.withLock { list in
                list.append((lastHop.nickname, "started"))
                return list.count - 1
            }
            if index == 0 {
                do {
                    try await Task.sleep(for: .seconds(120))
                    fetches.withLock { $0[index].outcome = "never cancelled" }
                } catch {
                    fetches.withLock { $0[index].outcome = "cancelled" }
                    throw error
                }
                throw CircuitError.timedOut("the silent HSDir")
            }
            do {
                let circuit = try await client.buildCircuit(hops: hops, endingAt: lastHop)
                fetches.withLock { $0[index].outcome = "answered" }
                return circuit
            } catch {
                fetches.withLock { $0[index].outcome = "failed: \(error)" }
                throw error
            }
        }
    }

    func testASecondHSDirIsAskedWhenTheFirstIsSilent() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("parallel-hsdir", network: network)
        defer { Task { await client.shutdown() } }
        let silentFirst = FirstHSDirSilent(client: client)
        let connector = OnionServiceConnector(network: silentFirst)
        let device = try network.device("pins")
        let stream = try await connector.connect(to: try OnionAddress(device.onion), port: 80, clientAuthKey: nil)
        defer { stream.close() }
        let response = try await HTTPClient(timeout: 60).send(HTTPRequest(method: "GET", path: "/links", host: device.onion), over: stream)
        XCTAssertEqual(response.status, 200)

        // The silent attempt is cancelled once the other answered (bounded wait for its task).
        for _ in 0..<100 where silentFirst.fetches.withLock({ $0.first?.outcome == "started" }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let fetches = silentFirst.fetches.withLock { $0 }
        XCTAssertGreaterThanOrEqual(fetches.count, 2, "\(fetches)")
        XCTAssertEqual(fetches.first?.outcome, "cancelled", "\(fetches)")
        XCTAssertTrue(fetches.dropFirst().contains { $0.outcome == "answered" }, "\(fetches)")
        XCTAssertNotEqual(fetches[0].hsdir, fetches[1].hsdir, "the second attempt asks another HSDir")
        let cached = await connector.cachedDescriptor(for: try OnionAddress(device.onion))
        XCTAssertNotNil(cached)
    }
}
