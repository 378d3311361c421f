import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import TorProto
import XCTest

/// A relay the authorities list as MiddleOnly (`scripts/testnet up --middle-only relay2`, C tor's
/// `AuthDirMiddleOnly`) is never a guard, HSDir, introduction or rendezvous endpoint of our
/// circuits, while both services stay reachable (issue 13).
final class MiddleOnlyEndToEndTests: XCTestCase {
    func testAMiddleOnlyRelayIsNeverAnEndpointOrGuard() async throws {
        let network = try TestNetwork.fresh("middle-only", upArguments: ["--middle-only", "relay2"])
        defer { network.stop() }
        let client = try makeClient("middle-only", network: network)
        let directory = try await client.netDirectory()
        let marked = try XCTUnwrap(directory.relays.first { $0.nickname == "relay2" })
        XCTAssertTrue(marked.flags.contains(.middleOnly), "\(marked.flags.names)")
        XCTAssertFalse(marked.flags.contains(.guard) || marked.flags.contains(.hsDir) || marked.flags.contains(.exit),
                       "the authorities strip Guard, HSDir and Exit: \(marked.flags.names)")
        let thermostat = try network.device("thermostat"), pins = try network.device("pins")
        await client.setClientAuthKey(try authKey(for: thermostat), for: try OnionAddress(thermostat.onion))
        // Three rounds of fresh rendezvous and introduction circuits to both services.
        for round in 0..<3 {
            for device in [thermostat, pins] {
                await client.dropCircuit(to: try OnionAddress(device.onion))
                let response = try await fetchHTTP(client, device, device.kind == "pins" ? "/links" : "/api/v1/thermostat")
                XCTAssertEqual(response.status, 200, "round \(round), \(device.name)")
            }
        }
        let paths = await client.recentOnionServicePaths
        XCTAssertGreaterThanOrEqual(paths.count, 6)
        for path in paths {
            let names = path.relays.map(\.name)
            XCTAssertNotEqual(path.relays.last?.rsaIdentity, marked.rsaIdentity, "MiddleOnly relay as endpoint: \(names)")
            XCTAssertNotEqual(path.relays.first?.rsaIdentity, marked.rsaIdentity, "MiddleOnly relay as guard: \(names)")
        }
        let guards = await client.guards.status()
        XCTAssertFalse(guards.contains { $0.nickname == "relay2" }, "never sampled as a guard")
        await client.shutdown()
    }
}
