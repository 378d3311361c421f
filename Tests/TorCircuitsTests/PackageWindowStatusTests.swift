import TorCircuits
import TorProto
import XCTest

/// The window toward the last hop, as the onion-service connector reads it to replace a
/// rendezvous circuit whose service never acknowledges data (Minitor firmware).
final class PackageWindowStatusTests: XCTestCase {
    let serviceHop = 3
    func testTheWindowShrinksWithDataAndRefillsOnlyWithAValidSendme() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 1)
        XCTAssertEqual(circuit.lastHopPackageWindow, PackageWindowStatus(remaining: 1000, sendmesReceived: 0))
        let stream = try await path.openStream(on: circuit)
        try await stream.write([UInt8](repeating: 3, count: RelayMessage.maxDataLength * 100))
        _ = try await path.waitForMessage(.data, count: 100)
        XCTAssertEqual(circuit.lastHopPackageWindow, PackageWindowStatus(remaining: 900, sendmesReceived: 0))
        let tag = path.lastForwardDigest(hop: serviceHop)
        path.inject(RelayMessage(command: .sendme, data: SendmeMessage.v1(digest: tag).encoded()), fromHop: serviceHop)
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")
        XCTAssertEqual(circuit.lastHopPackageWindow, PackageWindowStatus(remaining: 1000, sendmesReceived: 1))
        try await stream.write([UInt8](repeating: 4, count: RelayMessage.maxDataLength * 30))
        _ = try await path.waitForMessage(.data, count: 130)
        XCTAssertEqual(circuit.lastHopPackageWindow, PackageWindowStatus(remaining: 970, sendmesReceived: 1))
    }

    func testAServiceThatNeverAcknowledgesLeavesTheWindowSpent() async throws {
        let (circuit, path) = try await HostilePath.onionServiceCircuit(sendmeAcceptMinVersion: 1)
        // Three streams of 400 cells: the stream windows (500) allow all, the circuit's 1,000 do not.
        for _ in 0..<2 {
            let stream = try await path.openStream(on: circuit)
            try await stream.write([UInt8](repeating: 5, count: RelayMessage.maxDataLength * 400))
        }
        let third = try await path.openStream(on: circuit)
        let blocked = Task { try await third.write([UInt8](repeating: 6, count: RelayMessage.maxDataLength * 400)) }
        _ = try await path.waitForMessage(.data, count: 1000)
        XCTAssertEqual(circuit.lastHopPackageWindow, PackageWindowStatus(remaining: 0, sendmesReceived: 0))
        circuit.destroy()
        _ = await blocked.result
    }
}
