import Foundation
import TestSupport
import TorCircuits
import TorClient
import XCTest

/// Issue 8 (clock): a skewed local clock is detected from the relay's NETINFO and reported as such,
/// not mistaken for bad certificates.
final class ClockSkewEndToEndTests: XCTestCase {
    func testModerateSkewIsMeasuredAndReported() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("skew", network: network)
        let relays = try await client.netDirectory().relays
        let relay = try XCTUnwrap(relays.first { $0.nickname == "relay2" })
        let ahead: TimeInterval = 3 * 3600
        let channel = try await Channel.connect(to: relay.orAddress, expected: relay.expectedIdentity,
                                                now: { Date().addingTimeInterval(ahead) })
        let skew = try XCTUnwrap(channel.clockSkew, "the relay reports its time in NETINFO")
        XCTAssertEqual(skew, -ahead, accuracy: 30)
        channel.close()
        let monitor = ClockSkewMonitor()
        monitor.record(skew)
        XCTAssertEqual(monitor.warning?.contains("3 hours ahead"), true, monitor.warning ?? "no warning")
        let honest = ClockSkewMonitor()
        honest.record(2)
        XCTAssertNil(honest.warning, "a few seconds are normal")
        await client.shutdown()
    }

    func testClockFarAheadIsReportedAsClockNotAsBadCertificates() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("skew-far", network: network)
        let relays = try await client.netDirectory().relays
        let relay = try XCTUnwrap(relays.first { $0.nickname == "relay3" })
        do {
            _ = try await Channel.connect(to: relay.orAddress, expected: relay.expectedIdentity,
                                          now: { Date().addingTimeInterval(400 * 86_400) })
            XCTFail("certificates cannot look valid 400 days from now")
        } catch let ChannelError.clockSkew(seconds, relayAddress) {
            XCTAssertEqual(seconds, 400 * 86_400, accuracy: 60)
            XCTAssertEqual(relayAddress, relay.orAddress.description)
            XCTAssertTrue(ChannelError.clockSkew(seconds: seconds, relay: relayAddress).description.contains("400 days ahead"))
        }
        await client.shutdown()
    }
}
