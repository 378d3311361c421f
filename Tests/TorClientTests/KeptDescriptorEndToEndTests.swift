import Foundation
import OnionService
import TestSupport
import TorClient
import TorCrypto
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

    /// One process's request: a new client on `paths` with the device's key set (as the CLI does at
    /// every start) reads the thermostat once; returns its progress reports.
    private func processReads(_ name: String, _ device: TestNetwork.Device, key: X25519PrivateKey,
                              network: TestNetwork, paths: TorPaths,
                              before: ((TorClient) async throws -> Void)? = nil) async throws -> ProgressLog {
        let client = try makeClient(name, network: network, paths: paths)
        await client.setClientAuthKey(key, for: try OnionAddress(device.onion))
        try await before?(client)
        let log = ProgressLog()
        await client.addProgressHandler { log.append($0) }
        let answer = try await fetchHTTP(client, device, "/api/v1/thermostat")
        XCTAssertEqual(answer.status, 200, name)
        await client.shutdown()
        return log
    }

    func testTheNextProcessUsesTheKeptDescriptorAndRefusesAnAlteredOne() async throws {
        let network = try TestNetwork.shared()
        let device = try network.device("thermostat")
        let key = try authKey(for: device)
        let address = try OnionAddress(device.onion)
        let paths = temporaryPaths("kept-descriptor")

        let firstLog = try await processReads("kept-first", device, key: key, network: network, paths: paths) { client in
            try await self.waitClearOfRotation(client, need: 90)
        }
        XCTAssertTrue(firstLog.all.contains { $0.detail == "fetching the descriptor" }, "\(firstLog.lines)")
        let file = paths.cacheDirectory.appendingPathComponent("hs-descriptors/\(address.description).json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "the descriptor was kept")

        // The next process, on the same folders.
        let secondLog = try await processReads("kept-second", device, key: key, network: network, paths: paths)
        XCTAssertTrue(secondLog.all.contains { $0.detail == "using the descriptor kept from an earlier run" }, "\(secondLog.lines)")
        XCTAssertFalse(secondLog.all.contains { $0.detail == "fetching the descriptor" }, "no HSDir was asked: \(secondLog.lines)")

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

        let thirdLog = try await processReads("kept-third", device, key: key, network: network, paths: paths)
        XCTAssertTrue(thirdLog.all.contains { $0.phase == .descriptor && $0.detail.hasPrefix("the kept descriptor is unusable") },
                      "\(thirdLog.lines)")
        XCTAssertTrue(thirdLog.all.contains { $0.detail == "fetching the descriptor" }, "\(thirdLog.lines)")
    }
}
