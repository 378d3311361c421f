import Devices
import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorProto
import XCTest

/// Issue 8 (faults), end to end: relays and services die under the client; each time the next
/// request must succeed on its own within a bounded time, and the user must see what happened.
/// Each test gets a fresh network of its own: the faults would otherwise linger into the next test.
final class FaultToleranceEndToEndTests: XCTestCase {
    /// The harness name of a relay from a circuit hop name like `relay3~1A2B3C4D`.
    private func harnessName(_ hopName: String) -> String { String(hopName.split(separator: "~").first ?? "") }

    /// The relay the device's C tor service uses as its guard (first confirmed guard in its state
    /// file). Killing it takes the *service* down for minutes while C tor picks a new guard and
    /// republishes, which would test C tor rather than onionctl, so the tests never kill it.
    private func serviceGuard(of device: String, in network: TestNetwork) -> String? {
        let state = network.directory.appendingPathComponent("nodes/dev-\(device)/state")
        guard let text = try? String(contentsOf: state, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Guard ") && line.contains(" confirmed_idx=0") {
            if let field = line.split(separator: " ").first(where: { $0.hasPrefix("nickname=") }) {
                return String(field.dropFirst("nickname=".count))
            }
        }
        return nil
    }

    /// Relays the device's service depends on: its guard and its current introduction points
    /// (read from the descriptor `client` fetched). Tests that are not about these never kill them.
    private func serviceRelays(of device: String, _ address: OnionAddress, client: TorClient,
                               in network: TestNetwork) async throws -> Set<String> {
        var names = Set<String>()
        if let guardName = serviceGuard(of: device, in: network) { names.insert(guardName) }
        let relays = try await client.netDirectory().relays
        for point in await client.cachedDescriptor(for: address)?.introductionPoints ?? [] {
            for case let .legacyID(id) in point.linkSpecifiers {
                if let relay = relays.first(where: { $0.rsaIdentity == id }) { names.insert(relay.nickname) }
            }
        }
        return names
    }

    /// Retries a request until it succeeds (bounded), returning it and the errors seen before.
    /// `heal`, if given, runs once after `after` failed attempts (see its use).
    private func eventually(_ attempts: Int = 48, pause: Double = 5,
                            heal: (after: Int, action: () -> Void)? = nil,
                            _ body: () async throws -> HTTPResponse)
        async -> (HTTPResponse?, [String]) {
        var errors = [String]()
        for attempt in 0..<attempts {
            do { return (try await body(), errors) } catch {
                errors.append("\(error)")
                if let heal, errors.count == heal.after { heal.action() }
                if attempt < attempts - 1 { try? await Task.sleep(for: .seconds(pause)) }
            }
        }
        return (nil, errors)
    }

    func testRendezvousPointKilledMidSession() async throws {
        // Seven relays, not five: the service's guard and three introduction points are off limits,
        // and the client's own guard and middle cannot be its rendezvous point, so on five relays
        // there may be no relay left to kill (CI saw 20 circuits in a row end on a protected relay).
        let network = try TestNetwork.fresh("fault-rp", upArguments: ["--relays", "7", "--devices", "pins:pins"])
        defer { network.stop() }
        let client = try makeClient("fault-rp", network: network)
        let pins = try network.device("pins")
        let address = try OnionAddress(pins.onion)
        let (first, earlier) = await eventually { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(first?.status, 200, "errors: \(earlier)")
        let protected = try await serviceRelays(of: "pins", address, client: client, in: network)
        var opened = await client.openCircuit(to: address)
        for _ in 0..<40 where opened.map({ protected.contains(harnessName($0.hopNames[2])) }) ?? true {
            await client.dropCircuit(to: address)
            _ = try await fetchHTTP(client, pins, "/links")
            opened = await client.openCircuit(to: address)
        }
        let circuit = try XCTUnwrap(opened)
        let rendezvousPoint = harnessName(circuit.hopNames[2])
        XCTAssertFalse(protected.contains(rendezvousPoint), "the rendezvous point to kill also serves the service")
        try network.harness(["kill-relay", rendezvousPoint])
        defer { _ = try? network.harness(["start-relay", rendezvousPoint]) }
        // The dead relay may also have carried the *service's* introduction circuits (its layer-2
        // vanguard), and C tor's service on a network of 8 relays can then find no path for minutes
        // ("Failed to find node for hop #2", seen in CI: 4 minutes of "not recognized"). A real
        // network has other relays to take its place; here it comes back after a minute, as C tor's
        // need, not the client's: the client gets no help, and must still avoid the dead point.
        var healed = false
        let (response, errors) = await eventually(heal: (after: 12, action: {
            healed = (try? network.harness(["start-relay", rendezvousPoint])) != nil
        })) { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(response?.status, 200, "errors: \(errors)")
        print("rendezvous point killed: \(errors.count) failed attempts; relay restarted for the service: \(healed)")
        let rebuilt = await client.openCircuit(to: address)
        XCTAssertFalse(rebuilt === circuit, "a new rendezvous circuit replaced the one through the dead relay")
        if !healed { XCTAssertNotEqual(rebuilt.map { harnessName($0.hopNames[2]) }, rendezvousPoint) }
        await client.shutdown()
    }

    func testIntroductionPointKilledBeforeReconnecting() async throws {
        let network = try TestNetwork.fresh("fault-intro")
        defer { network.stop() }
        let client = try makeClient("fault-intro", network: network)
        let pins = try network.device("pins")
        let address = try OnionAddress(pins.onion)
        let (first, earlier) = await eventually { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(first?.status, 200, "errors: \(earlier)")
        let directory = try await client.netDirectory()
        let cached = await client.cachedDescriptor(for: address)
        let descriptor = try XCTUnwrap(cached)
        let introIdentities = descriptor.introductionPoints.compactMap { point -> [UInt8]? in
            for case let .legacyID(id) in point.linkSpecifiers { return id }
            return nil
        }
        let protected = serviceGuard(of: "pins", in: network)
        let victim = try XCTUnwrap(introIdentities.compactMap { directory.relay(rsaIdentity: $0) }
            .first { $0.nickname != protected }, "every introduction point is the service's guard")
        try network.harness(["kill-relay", victim.nickname])
        defer { _ = try? network.harness(["start-relay", victim.nickname]) }
        // Reconnect three times: the dead introduction point is skipped (or the descriptor refreshed).
        for round in 0..<3 {
            await client.dropCircuit(to: address)
            let (response, errors) = await eventually { try await fetchHTTP(client, pins, "/links") }
            XCTAssertEqual(response?.status, 200, "round \(round), errors: \(errors)")
        }
        await client.shutdown()
    }

    func testGuardKilledMidSession() async throws {
        let network = try TestNetwork.fresh("fault-guard")
        defer { network.stop() }
        let probe = try makeClient("fault-guard-probe", network: network)
        let pinsDevice = try network.device("pins")
        let (probed, probeErrors) = await eventually { try await fetchHTTP(probe, pinsDevice, "/links") }
        XCTAssertEqual(probed?.status, 200, "errors: \(probeErrors)")
        let protected = try await serviceRelays(of: "pins", try OnionAddress(pinsDevice.onion), client: probe, in: network)
        let relays = try await probe.netDirectory().relays
        await probe.shutdown()
        let ours = try XCTUnwrap(relays.first { $0.flags.contains(.guard) && !protected.contains($0.nickname) && !$0.nickname.hasPrefix("auth") }
            ?? relays.first { $0.flags.contains(.guard) && !protected.contains($0.nickname) })
        let paths = temporaryPaths("fault-guard")
        try FileManager.default.createDirectory(at: paths.stateDirectory, withIntermediateDirectories: true)
        // (A version-1 guard file, as older onionctl wrote it, added recently so it has not expired.)
        let added = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
        let seeded = #"{"version":1,"guards":[{"rsaIdentity":"\#(hexString(ours.rsaIdentity))","nickname":"\#(ours.nickname)","addedAt":"\#(added)"}]}"#
        try Data(seeded.utf8).write(to: paths.stateDirectory.appendingPathComponent("guards.json"))
        let client = try makeClient("fault-guard", network: network, paths: paths)
        let pins = try network.device("pins")
        let address = try OnionAddress(pins.onion)
        let (first, earlier) = await eventually { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(first?.status, 200, "errors: \(earlier)")
        let opened = await client.openCircuit(to: address)
        let guardName = harnessName(try XCTUnwrap(opened).hopNames[0])
        try network.harness(["kill-relay", guardName])
        defer { _ = try? network.harness(["start-relay", guardName]) }
        // As in testRendezvousPointKilledMidSession: the relay may also carry the service's own
        // introduction circuits (seen in CI: 5 minutes of "not recognized"); it comes back after a
        // minute for the service's sake; the client gets no help.
        var healed = false
        let (response, errors) = await eventually(heal: (after: 12, action: {
            healed = (try? network.harness(["start-relay", guardName])) != nil
        })) { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(response?.status, 200, "errors: \(errors)")
        print("guard killed: \(errors.count) failed attempts; relay restarted for the service: \(healed)")
        let rebuilt = await client.openCircuit(to: address)
        // (Once the relay is back and its failure older than GuardSet.retryAfter it may serve again.)
        if !healed {
            XCTAssertNotEqual(rebuilt.map { harnessName($0.hopNames[0]) }, guardName, "a different guard carries the new circuit")
        }
        await client.shutdown()
    }

    func testColdStartRoutesAroundTwoDeadRelays() async throws {
        let network = try TestNetwork.fresh("fault-cold")
        defer { network.stop() }
        let thermostatDevice = try network.device("thermostat")
        let thermostatAddress = try OnionAddress(thermostatDevice.onion)
        let probe = try makeClient("fault-cold-probe", network: network)
        await probe.setClientAuthKey(try authKey(for: thermostatDevice), for: thermostatAddress)
        let (probed, probeErrors) = await eventually { try await fetchHTTP(probe, thermostatDevice, "/api/v1/thermostat") }
        XCTAssertEqual(probed?.status, 200, "errors: \(probeErrors)")
        let protected = try await serviceRelays(of: "thermostat", thermostatAddress, client: probe, in: network)
        await probe.shutdown()
        let victims: [String] = Array(["relay5", "relay4", "relay3", "relay2", "relay1"].filter { !protected.contains($0) }.prefix(2))
        for relay in victims { try network.harness(["kill-relay", relay]) }
        defer { for relay in victims { _ = try? network.harness(["start-relay", relay]) } }
        let client = try makeClient("fault-cold", network: network)
        let report = try await client.bootstrap()
        XCTAssertGreaterThanOrEqual(report.usableRelays, 6)
        let thermostat = try network.device("thermostat")
        await client.setClientAuthKey(try authKey(for: thermostat), for: try OnionAddress(thermostat.onion))
        let (response, errors) = await eventually(4) { try await fetchHTTP(client, thermostat, "/api/v1/thermostat") }
        XCTAssertEqual(response?.status, 200, "errors: \(errors)")
        await client.shutdown()
    }

    func testStoppedDeviceIsReportedOfflineAndComesBack() async throws {
        let network = try TestNetwork.fresh("fault-offline")
        defer { network.stop() }
        let client = try makeClient("fault-offline", network: network)
        let pins = try network.device("pins")
        // Start from a reachable device (an earlier fault may still be healing).
        let (before, earlier) = await eventually { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(before?.status, 200, "errors: \(earlier)")
        try network.harness(["stop-device", "pins"])
        var restarted = false
        defer { if !restarted { _ = try? network.harness(["start-device", "pins"]) } }
        do {
            let response = try await fetchHTTP(client, pins, "/links")
            XCTFail("a stopped device answered: \(response.status)")
        } catch let error as OnionServiceError {
            // The introduction points answer "not recognized" (offline) or, if the stop has not
            // reached them yet, accept the introduction and the service never joins the rendezvous.
            XCTAssertTrue(["offline", "rendezvous-failed"].contains(error.kind), "\(error)")
            XCTAssertTrue(error.description.contains("offline"), error.description)
        }
        try network.harness(["start-device", "pins"])
        restarted = true
        let (response, errors) = await eventually(12, pause: 5) { try await fetchHTTP(client, pins, "/links") }
        XCTAssertEqual(response?.status, 200, "errors: \(errors)")
        await client.shutdown()
    }
}
