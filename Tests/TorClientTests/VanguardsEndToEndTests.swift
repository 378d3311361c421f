import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorProto
import XCTest

/// Vanguards-lite end to end (issue 13): every onion-service circuit (HSDir fetch, introduction,
/// rendezvous) has one of the pinned layer-2 relays as its second hop, HSDir and introduction
/// circuits are 4 hops as in C tor, and the set survives a restart of the client.
final class VanguardsEndToEndTests: XCTestCase {
    func testOnionServiceCircuitsGoThroughThePinnedLayerTwoRelays() async throws {
        let network = try TestNetwork.shared()
        let paths = temporaryPaths("vanguards")
        let client = try makeClient("vanguards", network: network, paths: paths)
        let thermostat = try network.device("thermostat")
        await client.setClientAuthKey(try authKey(for: thermostat), for: try OnionAddress(thermostat.onion))
        let reading = try await fetchHTTP(client, thermostat, "/api/v1/thermostat")
        XCTAssertEqual(reading.status, 200)
        let pins = try await fetchHTTP(client, try network.device("pins"), "/links")
        XCTAssertEqual(pins.status, 200)

        let pinned = await client.vanguards.entries
        XCTAssertEqual(pinned.count, 4, "guard-hs-l2-number defaults to 4")
        let pinnedIDs = Set(pinned.map(\.rsaIdentity))
        let built = await client.recentOnionServicePaths
        XCTAssertFalse(built.isEmpty)
        for path in built {
            let names = path.relays.map(\.name)
            XCTAssertTrue(pinnedIDs.contains(hexString(path.relays[1].rsaIdentity)), "second hop is a pinned vanguard: \(names)")
            XCTAssertEqual(path.layer2, path.relays[1].rsaIdentity)
            XCTAssertTrue([3, 4].contains(path.relays.count), "\(names)")
            XCTAssertEqual(Set(path.relays.map(\.rsaIdentity)).count,
                           path.relays.count - (path.relays[0].rsaIdentity == path.relays.last?.rsaIdentity ? 1 : 0),
                           "only the guard may come again, as the endpoint: \(names)")
            XCTAssertNotEqual(path.relays[0].rsaIdentity, path.relays[1].rsaIdentity)
            XCTAssertNotEqual(path.relays[1].rsaIdentity, path.relays[2].rsaIdentity)
        }
        // Two descriptor fetches and two introductions over 4 hops; two rendezvous circuits over 3.
        XCTAssertGreaterThanOrEqual(built.filter { $0.relays.count == 4 }.count, 4, "\(built.map { $0.relays.map(\.name) })")
        XCTAssertGreaterThanOrEqual(built.filter { $0.relays.count == 3 }.count, 2, "\(built.map { $0.relays.map(\.name) })")
        XCTAssertFalse(built.contains { $0.relays.count == 3 && $0.relays[0] == $0.relays[2] }, "a rendezvous point is never our guard")
        // The open rendezvous circuit: guard, vanguard, rendezvous point, the service's virtual hop.
        let rendezvous = await client.openCircuit(to: try OnionAddress(thermostat.onion))
        let hops = try XCTUnwrap(rendezvous).hopNames
        XCTAssertEqual(hops.count, 4, "\(hops)")
        let pinnedNames = Set(pinned.map { "\($0.nickname)~\($0.rsaIdentity.uppercased().prefix(8))" })
        XCTAssertTrue(pinnedNames.contains(hops[1]), "\(hops) against \(pinnedNames)")
        await client.shutdown()

        // A restart keeps the set (persisted beside the guard state) and uses it at once.
        XCTAssertTrue(FileManager.default.fileExists(atPath: paths.stateDirectory.appendingPathComponent("vanguards.json").path))
        let restarted = try makeClient("vanguards", network: network, paths: paths)
        await restarted.setClientAuthKey(try authKey(for: thermostat), for: try OnionAddress(thermostat.onion))
        let again = try await fetchHTTP(restarted, thermostat, "/api/v1/thermostat")
        XCTAssertEqual(again.status, 200)
        let kept = await restarted.vanguards.entries
        XCTAssertEqual(kept, pinned)
        let rebuilt = await restarted.recentOnionServicePaths
        XCTAssertFalse(rebuilt.isEmpty)
        XCTAssertTrue(rebuilt.allSatisfy { pinnedIDs.contains(hexString($0.relays[1].rsaIdentity)) })
        await restarted.shutdown()
    }
}
