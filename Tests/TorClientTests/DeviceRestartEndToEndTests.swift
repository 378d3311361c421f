import Devices
import Foundation
import OnionService
import TestSupport
import TorClient
import XCTest

/// Issue 15, restart: a device's tor restarts while the client holds its descriptor and a
/// rendezvous circuit. Once the restarted service's new descriptor is on its HSDirs (the harness
/// waits for C tor's upload answers), the very next request must succeed on its own, and the user
/// must have seen why it took more than one step.
final class DeviceRestartEndToEndTests: XCTestCase {
    func testTheFirstRequestAfterTheRestartedDevicePublishedSucceeds() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("restart-first", network: network)
        let log = ProgressLog()
        await client.addProgressHandler { log.append($0) }
        let device = try network.device("pins")
        let address = try OnionAddress(device.onion)
        _ = try await fetchHTTP(client, device, "/links")
        let cached = await client.cachedDescriptor(for: address)
        let before = try XCTUnwrap(cached, "the first request cached the device's descriptor")

        let old = await client.openCircuit(to: address)
        try network.harness(["restart-device", "pins", "--down", "1", "--wait-upload"])
        print("restart: the old rendezvous circuit is \(old?.isOpen == true ? "still open (its DESTROY has not arrived)" : "closed") after the reboot")
        log.clear()
        let started = Date()
        let response: HTTPResponse
        do {
            response = try await fetchHTTP(client, device, "/links")
        } catch {
            XCTFail("the first request after the device published failed: \(error); progress: \(log.lines)")
            return
        }
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(response.status, 200)
        print(String(format: "restart: first request after the new descriptor was uploaded answered in %.1f s; ", seconds)
              + "progress: \(log.lines.joined(separator: " | "))")

        let refreshed = await client.cachedDescriptor(for: address)
        let after = try XCTUnwrap(refreshed)
        XCTAssertNotEqual(Set(after.introductionPoints.map(\.authKey)), Set(before.introductionPoints.map(\.authKey)),
                          "the request went through the restarted service's new introduction points")
        XCTAssertTrue(log.all.contains { $0.phase == .descriptor && $0.detail.contains("fresh descriptor") },
                      "the user saw that the old descriptor was given up: \(log.lines)")
        await client.shutdown()
    }
}
