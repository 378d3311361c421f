import Devices
import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import XCTest

/// A rendezvous circuit whose service has not acknowledged its data is replaced before it can
/// stall (Minitor firmware never sends circuit SENDMEs: after 1,000 DATA cells it would). The
/// private network's C tor services do acknowledge every 100 cells, so these tests set the
/// thresholds inside the first 100 cells, where no service has acknowledged anything yet, with
/// congestion control off (as with Minitor, which does not offer it).
final class RendezvousRenewalEndToEndTests: XCTestCase {
    private func client(_ name: String, _ renewal: RendezvousRenewal, _ network: TestNetwork) throws -> TorClient {
        let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
        let base = makeTemporaryDirectory(name)
        var configuration = TorClientConfiguration(
            network: config,
            paths: TorPaths(cacheDirectory: base.appendingPathComponent("cache"), stateDirectory: base.appendingPathComponent("state")))
        configuration.rendezvousRenewal = renewal
        // Minitor offers no congestion control, so its rendezvous circuits keep the fixed windows
        // this rule watches; the C tor services here would otherwise negotiate Vegas.
        configuration.congestionControl = false
        return TorClient(configuration: configuration)
    }

    /// About 20 DATA cells toward the service, echoed back.
    private func upload(_ client: TorClient, _ device: TestNetwork.Device, cells: Int) async throws {
        let body = [UInt8]((0..<(cells * 498)).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let echoed = try await fetchHTTP(client, device, "/test/echo", method: "POST", body: body)
        XCTAssertEqual(echoed.status, 200)
        XCTAssertTrue(echoed.body == body, "the echo came back byte for byte")
    }

    private func waitUntilClosed(_ circuit: Circuit) async throws {
        for _ in 0..<240 where circuit.isOpen { try await Task.sleep(for: .milliseconds(250)) }
        XCTAssertFalse(circuit.isOpen, "the replaced circuit is closed once its streams are done")
    }

    func testACircuitLowOnWindowIsReplacedInTheBackgroundWhileRequestsGoOn() async throws {
        let network = try TestNetwork.shared()
        let device = try network.device("thermostat")
        let address = try OnionAddress(device.onion)
        let client = try client("renew-background", RendezvousRenewal(renewBelow: 990, waitBelow: 0), network)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        try await upload(client, device, cells: 20)
        let firstOpen = await client.openCircuit(to: address)
        let first = try XCTUnwrap(firstOpen)
        let window = try XCTUnwrap(first.lastHopPackageWindow)
        XCTAssertLessThan(window.remaining, 990)
        XCTAssertEqual(window.sendmesReceived, 0)
        // This request still goes over the first circuit; its replacement is built meanwhile.
        let reading = try await fetchHTTP(client, device, "/api/v1/thermostat")
        XCTAssertEqual(reading.status, 200)
        var replacement: Circuit?
        for _ in 0..<240 {
            if let open = await client.openCircuit(to: address), open !== first { replacement = open; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let second = try XCTUnwrap(replacement, "a replacement rendezvous circuit was adopted")
        try await waitUntilClosed(first)
        try await upload(client, device, cells: 5)
        let current = await client.openCircuit(to: address)
        XCTAssertTrue(current === second, "new requests use the replacement")
        await client.shutdown()
    }

    func testARequestWaitsForTheReplacementWhenTheWindowIsNearlySpent() async throws {
        let network = try TestNetwork.shared()
        let device = try network.device("thermostat")
        let address = try OnionAddress(device.onion)
        let client = try client("renew-wait", RendezvousRenewal(renewBelow: 990, waitBelow: 990), network)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        try await upload(client, device, cells: 20)
        let firstOpen = await client.openCircuit(to: address)
        let first = try XCTUnwrap(firstOpen)
        try await upload(client, device, cells: 3)
        let secondOpen = await client.openCircuit(to: address)
        let second = try XCTUnwrap(secondOpen)
        XCTAssertFalse(second === first, "the request waited for and used a new circuit")
        XCTAssertEqual(second.lastHopPackageWindow?.sendmesReceived, 0)
        try await waitUntilClosed(first)
        await client.shutdown()
    }

    func testACircuitWhoseServiceAcknowledgesIsKept() async throws {
        let network = try TestNetwork.shared()
        let device = try network.device("thermostat")
        let address = try OnionAddress(device.onion)
        let client = try client("renew-keep", RendezvousRenewal(renewBelow: 990, waitBelow: 990), network)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        // 150 cells: C tor's service sends a circuit SENDME after the 100th.
        try await upload(client, device, cells: 150)
        let firstOpen = await client.openCircuit(to: address)
        let first = try XCTUnwrap(firstOpen)
        var acknowledged = false
        for _ in 0..<40 {
            if (first.lastHopPackageWindow?.sendmesReceived ?? 0) > 0 { acknowledged = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertTrue(acknowledged, "C tor's service acknowledged the data")
        try await upload(client, device, cells: 3)
        let current = await client.openCircuit(to: address)
        XCTAssertTrue(current === first, "a circuit whose service acknowledges is not replaced")
        await client.shutdown()
    }
}
