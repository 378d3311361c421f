import Devices
import Foundation
import OnionService
import TestSupport
import TorClient
import XCTest

/// Issue 15, rotation: a device that publishes its new descriptor late after a time-period rotation
/// (a real Minitor does, minutes late) must stay reachable through the previous period's descriptor,
/// which a service keeps serving, with live introduction points, from the period's start until the
/// next shared random value (rend-spec-v3 §2.2.2.1, §2.2.4.1).
///
/// The device is a `latepub` device of `scripts/testnet`: its C tor service does not publish by
/// itself, and the harness's `publisher` posts only the service's first descriptor, so each period's
/// descriptor reaches the HSDirs half a period after the period starts (2 minutes on this network,
/// whose periods are 4 minutes long). C tor's client, which asks for the current period's descriptor
/// only, is the control: in that window it does not reach the device.
final class LatePublishEndToEndTests: XCTestCase {
    /// This network's period length and its start offset within each 240-s shared-random run
    /// (24 and 12 voting intervals of 10 s): periods start at 120 s mod 240, SRVs at 0 mod 240.
    static let period: TimeInterval = 240
    static let periodStartOffset: TimeInterval = 120
    /// Inside the window [period start + lead, period start + half a period − tail], every live
    /// consensus (valid for 20 s) is already in the new period and still before the next SRV, when
    /// the service rotates and the publisher posts the new period's descriptor.
    static let lead: TimeInterval = 25
    static let tail: TimeInterval = 30
    /// How long before the period starts the first client fetches: after the publisher posted the
    /// period's descriptor (about 110 s before), with room for two not-found retries.
    static let heldLead: TimeInterval = 95
    static let heldLatest: TimeInterval = 25

    func testADeviceThatPublishesLateIsReachedThroughThePreviousPeriodsDescriptor() async throws {
        let network = try TestNetwork.fresh("late-publish", upArguments: ["--devices", "late:thermostat:auth:latepub"])
        defer { network.stop() }
        let device = try network.device("late")
        let address = try OnionAddress(device.onion)
        let up = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: network.directory.appendingPathComponent("up.json")))
            as? [String: Any])
        let socksPort = try XCTUnwrap(up["client_socks_port"] as? Int)

        // The next period with time left before it starts for a first client to fetch the descriptor
        // of the period then current (the publisher posted it at that period's SRV, half a period
        // in) and keep it: between `heldLead` and `heldLatest` s before the start. Bounded: the
        // window is at most 290 s away (run-tests gives this suite 720 s).
        let now = Date().timeIntervalSince1970
        var periodStart = (now / Self.period).rounded(.down) * Self.period + Self.periodStartOffset
        while periodStart - Self.heldLatest < now + 5 { periodStart += Self.period }
        let fetchAt = max(now, periodStart - Self.heldLead)
        print("late-publish: waiting \(Int(fetchAt - now)) s to fetch the descriptor of the period before the next")
        try await Task.sleep(for: .seconds(max(0, fetchAt - now)))
        let holder = try makeClient("late-publish-holder", network: network)
        await holder.setClientAuthKey(try authKey(for: device), for: address)
        let held = try await fetchHTTP(holder, device, "/api/v1/thermostat")
        XCTAssertEqual(held.status, 200)
        await holder.dropCircuit(to: address)  // so that its next request needs a descriptor again
        let windowStart = periodStart + Self.lead
        print("late-publish: waiting \(Int(windowStart - Date().timeIntervalSince1970)) s for the next period's first minutes")
        try await Task.sleep(for: .seconds(max(0, windowStart - Date().timeIntervalSince1970)))

        let client = try makeClient("late-publish", network: network)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        let log = ProgressLog()
        await client.addProgressHandler { log.append($0) }
        let started = Date()
        let response: HTTPResponse
        do {
            response = try await fetchHTTP(client, device, "/api/v1/thermostat")
        } catch {
            XCTFail("the device was not reached in its late-publishing window: \(error); progress: \(log.lines)")
            await client.shutdown()
            return
        }
        let finished = Date().timeIntervalSince1970
        XCTAssertEqual(response.status, 200)
        print(String(format: "late-publish: reached %.1f s into the period in %.1f s; progress: ",
                     started.timeIntervalSince1970 - periodStart, Date().timeIntervalSince(started))
              + log.lines.joined(separator: " | "))
        XCTAssertLessThan(finished, periodStart + Self.period / 2,
                          "the request ended after the SRV: the window assumption no longer holds")
        XCTAssertTrue(log.all.contains { $0.detail.contains("trying the previous period's") },
                      "every HSDir answered 'not found' for the current period first: \(log.lines)")
        XCTAssertTrue(log.all.contains { $0.detail.contains("using the descriptor of the previous time period") },
                      "the previous period's descriptor was found and used: \(log.lines)")
        let kept = await client.cachedDescriptor(for: address)
        XCTAssertNil(kept, "the previous period's descriptor is not cached as if it were the current one")

        // The first client still holds the previous period's descriptor: it uses it as it is.
        let holderLog = ProgressLog()
        await holder.addProgressHandler { holderLog.append($0) }
        let again = try await fetchHTTP(holder, device, "/api/v1/thermostat")
        XCTAssertEqual(again.status, 200)
        print("late-publish: the holder's request: " + holderLog.lines.joined(separator: " | "))
        XCTAssertTrue(holderLog.all.contains { $0.detail.contains("held since then") },
                      "the descriptor held from the previous period was used without a fetch: \(holderLog.lines)")
        XCTAssertLessThan(Date().timeIntervalSince1970, periodStart + Self.period / 2,
                          "the holder's request ended after the SRV: the window assumption no longer holds")
        await holder.shutdown()

        // The control: C tor's client (the harness's reference client, which has not asked for this
        // device before) asks only for the current period's descriptor, and gets none.
        let ctor = try runBounded("/usr/bin/env", [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
            "--socks5-hostname", "127.0.0.1:\(socksPort)", "http://\(device.onion)/api/v1/thermostat",
        ], timeout: 30)
        let code = ctor.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        print("late-publish: C tor's client in the same window: curl exit \(ctor.status), HTTP \(code)")
        if Date().timeIntervalSince1970 < periodStart + Self.period / 2 {
            XCTAssertNotEqual(code, "200", "C tor's client reached the device: its descriptor for the current period was already published, so this test did not test the fallback")
        }
        await client.shutdown()
    }
}
