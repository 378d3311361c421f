import Devices
import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import XCTest

/// Congestion control (proposal 324, Vegas) and stream flow control (proposal 344, XON/XOFF) on
/// rendezvous circuits, end to end against the private network's C tor 0.4.9 onion services,
/// which offer `flow-control` in their descriptors while the consensus has congestion control on.
final class CongestionControlEndToEndTests: XCTestCase {
    func patternByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 31 &+ (index >> 8)) }

    private func connectedClient(_ name: String) async throws -> (TorClient, TestNetwork.Device, OnionAddress) {
        let network = try TestNetwork.shared()
        let client = try makeClient(name, network: network)
        let device = try network.device("thermostat")
        let address = try OnionAddress(device.onion)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        return (client, device, address)
    }

    /// The service offers `flow-control` with FlowCtrl=2, we ask for congestion control, and the
    /// virtual hop runs Vegas: 20 MB down and 4 MB up arrive byte for byte (a service that had
    /// not agreed would close the circuit on our SENDMEs every 31 cells, or on its own XON/XOFF).
    func testRendezvousCircuitNegotiatesCongestionControlAndTransfersIntact() async throws {
        let (client, device, address) = try await connectedClient("cc-bulk")
        let size = 20 * 1024 * 1024
        let download = try await fetchHTTP(client, device, "/test/blob?bytes=\(size)", maxBody: size)
        XCTAssertEqual(download.status, 200)
        XCTAssertEqual(download.body.count, size)
        XCTAssertNil(download.body.indices.first { download.body[$0] != patternByte($0) }, "first differing byte")

        let descriptor = try await XCTUnwrapAsync(await client.cachedDescriptor(for: address))
        let flow = try XCTUnwrap(descriptor.flowControl, "the C tor service's descriptor offers flow-control")
        XCTAssertTrue(try ProtocolVersions(parsing: "FlowCtrl=\(flow.versions)").supports("FlowCtrl", 2), flow.versions)
        let circuit = try await XCTUnwrapAsync(await client.openCircuit(to: address))
        let serviceHop = circuit.hopCount - 1
        XCTAssertTrue(circuit.usesCongestionControl(hop: serviceHop))
        for relayHop in 0..<serviceHop { XCTAssertFalse(circuit.usesCongestionControl(hop: relayHop)) }

        var upload = [UInt8](repeating: 0, count: 4 * 1024 * 1024)
        for index in upload.indices { upload[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 3) }
        let echoed = try await fetchHTTP(client, device, "/test/echo", method: "POST", body: upload, maxBody: upload.count)
        XCTAssertEqual(echoed.status, 200)
        XCTAssertTrue(echoed.body == upload, "4 MB echoed back byte for byte")
        // Our upload was paced by Vegas: the service's SENDMEs (every sendme_inc cells) gave RTT samples.
        let vegas = try XCTUnwrap(circuit.congestionState(hop: serviceHop))
        XCTAssertEqual(vegas.sendmeIncrement, flow.sendmeIncrement)
        XCTAssertGreaterThan(vegas.minRTT, 0)
        XCTAssertGreaterThan(vegas.maxRTT, 0)
        XCTAssertTrue(circuit.isOpen)
        await client.shutdown()
    }

    /// A reader that stops reading: after `cc_xoff_client` (500) unread cells we send XOFF, the
    /// service stops, and once the reader drains we send XON; every byte still arrives in order.
    func testSlowReaderSendsXoffThenXonAndLosesNothing() async throws {
        let (client, device, address) = try await connectedClient("cc-xoff")
        let size = 4 * 1024 * 1024
        let stream = try await client.connect(to: address, port: 80)
        defer { stream.close() }
        try await stream.write(Array("GET /test/blob?bytes=\(size) HTTP/1.1\r\nHost: \(device.onion)\r\n\r\n".utf8))
        // Let the service fill the stream: far more than 500 cells would come without XOFF.
        try await Task.sleep(for: .seconds(3))
        let circuit = try await XCTUnwrapAsync(await client.openCircuit(to: address))
        XCTAssertEqual(circuit.flowControlCounts.xoffSent, 1, "one XOFF while nothing was read")

        let (received, bodyStart) = try await withTimeout(120, error: TestNetworkError("the blob did not arrive within 120 s")) {
            var received = [UInt8]()
            var bodyStart: Int?
            while bodyStart == nil || received.count - bodyStart! < size {
                guard let chunk = try await stream.read() else { break }
                received.append(contentsOf: chunk)
                if bodyStart == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8)) { bodyStart = end.upperBound }
            }
            return (received, bodyStart)
        }
        let start = try XCTUnwrap(bodyStart, "no HTTP header")
        let body = received[start...]
        XCTAssertEqual(body.count, size)
        XCTAssertNil(body.indices.first { body[$0] != patternByte($0 - start) }, "first differing byte")
        let counts = circuit.flowControlCounts
        XCTAssertGreaterThanOrEqual(counts.xonSent, 1, "XON once drained: \(counts)")
        XCTAssertTrue(circuit.isOpen)
        await client.shutdown()
    }

    /// A network whose authorities vote `cc_alg=0`: C tor services then publish no `flow-control`
    /// line, we ask for nothing, and the rendezvous circuit keeps the fixed SENDME windows; a
    /// transfer still arrives byte for byte. (A network of its own: it takes a minute to start.)
    func testWithoutFlowControlTheCircuitKeepsFixedWindows() async throws {
        let network = try TestNetwork.fresh("cc-off", upArguments: ["--devices", "plain:thermostat", "--consensus-params", "cc_alg=0"])
        defer { network.stop() }
        let client = try makeClient("cc-off", network: network)
        let directory = try await client.netDirectory()
        XCTAssertEqual(directory.consensus.params["cc_alg"], 0)
        let device = try network.device("plain")
        let address = try OnionAddress(device.onion)
        let size = 4 * 1024 * 1024
        let download = try await fetchHTTP(client, device, "/test/blob?bytes=\(size)", maxBody: size)
        XCTAssertEqual(download.status, 200)
        XCTAssertEqual(download.body.count, size)
        XCTAssertNil(download.body.indices.first { download.body[$0] != patternByte($0) }, "first differing byte")
        let descriptor = try await XCTUnwrapAsync(await client.cachedDescriptor(for: address))
        XCTAssertNil(descriptor.flowControl, "a C tor service publishes flow-control only while congestion control is on")
        let circuit = try await XCTUnwrapAsync(await client.openCircuit(to: address))
        XCTAssertFalse(circuit.usesCongestionControl(hop: circuit.hopCount - 1))
        var upload = [UInt8](repeating: 0, count: 1024 * 1024)
        for index in upload.indices { upload[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 3) }
        let echoed = try await fetchHTTP(client, device, "/test/echo", method: "POST", body: upload, maxBody: upload.count)
        XCTAssertTrue(echoed.body == upload, "1 MB echoed back byte for byte")
        XCTAssertEqual(circuit.flowControlCounts, FlowControlCounts())
        await client.shutdown()
    }
}

func XCTUnwrapAsync<T>(_ value: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, message, file: file, line: line)
}
