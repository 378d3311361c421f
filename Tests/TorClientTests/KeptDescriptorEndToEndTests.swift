import Foundation
import OnionService
import TestSupport
import TorClient
import XCTest

/// Issue 15, warm start: a descriptor fetched by one process is kept on disk, and the next process
/// on the same folders (the next `onionctl get`) reaches the device without asking an HSDir. The
/// device uses client authorization, so each process sets its key at start, as the CLI does. A kept
/// descriptor that was altered on disk is refused with a reason and fetched again.
final class KeptDescriptorEndToEndTests: XCTestCase {
    /// Waits (bounded) until at least `need` seconds are left in the current onion-service time
    /// period: a kept descriptor is for one period only, so a rotation mid-test would refetch.
    private func waitClearOfRotation(_ client: TorClient, need: TimeInterval) async throws {
        for _ in 0..<2 {
            let consensus = try await client.netDirectory().consensus
            let period = try TimePeriod(validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
                                        testingNetwork: true)
            let left = period.end.timeIntervalSinceNow
            if left >= need { return }
            try await Task.sleep(for: .seconds(max(0, left) + 15))
        }
    }

    func testTheNextProcessUsesTheKeptDescriptorAndRefusesAnAlteredOne() async throws {
        let network = try TestNetwork.shared()
        let device = try network.device("thermostat")
        let key = try authKey(for: device)
        let address = try OnionAddress(device.onion)
        let paths = temporaryPaths("kept-descriptor")

        let first = try makeClient("kept-first", network: network, paths: paths)
        await first.setClientAuthKey(key, for: address)
        try await waitClearOfRotation(first, need: 90)
        let firstLog = ProgressLog()
        await first.addProgressHandler { firstLog.append($0) }
        _ = try await fetchHTTP(first, device, "/api/v1/thermostat")
        XCTAssertTrue(firstLog.all.contains { $0.detail == "fetching the descriptor" }, "\(firstLog.lines)")
        await first.shutdown()
        let file = paths.cacheDirectory.appendingPathComponent("hs-descriptors/\(address.description).json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "the descriptor was kept")

        // The next process, on the same folders.
        let second = try makeClient("kept-second", network: network, paths: paths)
        await second.setClientAuthKey(key, for: address)
        let secondLog = ProgressLog()
        await second.addProgressHandler { secondLog.append($0) }
        let answer = try await fetchHTTP(second, device, "/api/v1/thermostat")
        XCTAssertEqual(answer.status, 200)
        XCTAssertTrue(secondLog.all.contains { $0.detail == "using the descriptor kept from an earlier run" }, "\(secondLog.lines)")
        XCTAssertFalse(secondLog.all.contains { $0.detail == "fetching the descriptor" }, "no HSDir was asked: \(secondLog.lines)")
        await second.shutdown()

        // Altered on disk (its revision counter raised, so its signature no longer holds).
        let data = try Data(contentsOf: file)
        var entry = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = try XCTUnwrap(entry["descriptor"] as? String)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("revision-counter "), let value = UInt64(line.dropFirst("revision-counter ".count)) else {
                return String(line)
            }
            return "revision-counter \(value + 1)"
        }
        XCTAssertNotEqual(lines.joined(separator: "\n"), text, "the descriptor has a revision counter to alter")
        entry["descriptor"] = lines.joined(separator: "\n")
        try JSONSerialization.data(withJSONObject: entry).write(to: file)

        let third = try makeClient("kept-third", network: network, paths: paths)
        await third.setClientAuthKey(key, for: address)
        let thirdLog = ProgressLog()
        await third.addProgressHandler { thirdLog.append($0) }
        let again = try await fetchHTTP(third, device, "/api/v1/thermostat")
        XCTAssertEqual(again.status, 200)
        XCTAssertTrue(thirdLog.all.contains { $0.phase == .descriptor && $0.detail.hasPrefix("the kept descriptor is unusable") },
                      "\(thirdLog.lines)")
        XCTAssertTrue(thirdLog.all.contains { $0.detail == "fetching the descriptor" }, "\(thirdLog.lines)")
        await third.shutdown()
    }
}
