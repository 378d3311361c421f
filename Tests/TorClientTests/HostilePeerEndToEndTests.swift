import Devices
import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import XCTest

/// Issue 8 (hostile peers): relays and devices that misbehave get a clear error in bounded time
/// and memory, and the rest of the client keeps working.
final class HostilePeerEndToEndTests: XCTestCase {
    /// Starts `scripts/hostile-relay --mode MODE` and returns its process and port.
    private func startHostileRelay(_ mode: String) throws -> (Process, UInt16) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestNetwork.repositoryRoot.appendingPathComponent("scripts/hostile-relay").path,
                             "--mode", mode, "--seconds", "20"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = [UInt8]()
        let handle = pipe.fileHandleForReading
        while line.count < 64 {
            let byte = handle.readData(ofLength: 1)
            guard let first = byte.first, first != 10 else { break }
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening "), let port = UInt16(text.dropFirst(10)) else {
            process.terminate()
            throw TestNetworkError("hostile relay did not start: '\(text)'")
        }
        return (process, port)
    }

    private func handshakeError(_ mode: String) async throws -> (ChannelError, TimeInterval) {
        let (process, port) = try startHostileRelay(mode)
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let started = Date()
        do {
            let channel = try await Channel.connect(to: RelayAddress(host: "127.0.0.1", port: port),
                                                    expected: ExpectedIdentity(rsaIdentity: nil, name: "hostile"), timeout: 3)
            channel.close()
            throw TestNetworkError("the hostile relay (\(mode)) was accepted")
        } catch let error as ChannelError {
            return (error, Date().timeIntervalSince(started))
        }
    }

    func testMalformedLinkHandshakesAreRefusedClearlyAndQuickly() async throws {
        let expectations: [(String, String)] = [
            ("odd-versions", "odd payload length"),
            ("no-common-version", "supports no link protocol version we speak"),
            ("oversized", "CERTS cell claims length 65535"),
            ("out-of-order", "NETINFO before CERTS"),
            ("endless-padding", "link handshake"), // timed out, or refused as a flood if cells pile up
            ("garbage", "link handshake failed"),
            ("plain", "TLS"),
            ("truncated", "closed"),
        ]
        for (mode, phrase) in expectations {
            let (error, seconds) = try await handshakeError(mode)
            print("hostile relay \(mode): \(String(format: "%.2f", seconds)) s: \(error)")
            XCTAssertTrue(error.description.contains(phrase), "\(mode): \(error)")
            XCTAssertLessThan(seconds, 10, "\(mode) must fail within the handshake timeout, took \(seconds) s")
        }
        // The rest of the client keeps working: a real relay still handshakes.
        let network = try TestNetwork.shared()
        let client = try makeClient("after-hostile", network: network)
        let report = try await client.bootstrap()
        XCTAssertEqual(report.signedBy.count, 3)
        await client.shutdown()
    }

    func testHostileDeviceResponsesAreBoundedAndTheCircuitSurvives() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("hostile-device", network: network)
        let device = try network.device("thermostat")
        let address = try OnionAddress(device.onion)
        await client.setClientAuthKey(try authKey(for: device), for: address)
        func request(_ path: String, timeout: TimeInterval, maxBody: Int) async throws -> HTTPResponse {
            let stream = try await client.connect(to: address, port: 80)
            defer { stream.close() }
            return try await HTTPClient(timeout: timeout, maxBodyBytes: maxBody)
                .send(HTTPRequest(path: path, host: device.onion), over: stream)
        }
        do {
            _ = try await request("/test/endless", timeout: 60, maxBody: 1 << 20)
            XCTFail("an endless body must be cut off")
        } catch let error as HTTPError {
            XCTAssertEqual(error, .bodyTooLarge(limit: 1 << 20))
        }
        do {
            _ = try await request("/test/huge", timeout: 60, maxBody: 1 << 20)
            XCTFail("a terabyte body must be refused")
        } catch let error as HTTPError {
            XCTAssertEqual(error, .bodyTooLarge(limit: 1 << 20))
        }
        let started = Date()
        do {
            _ = try await request("/test/stall", timeout: 2, maxBody: 1 << 20)
            XCTFail("a response that never completes must time out")
        } catch let error as HTTPError {
            XCTAssertEqual(error, .timedOut("waiting for GET /test/stall"))
            XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        }
        // Same client, same rendezvous circuit: ordinary requests still work.
        let circuit = await client.openCircuit(to: address)
        let normal = try await request("/api/v1/thermostat", timeout: 30, maxBody: 1 << 20)
        XCTAssertEqual(normal.status, 200)
        let after = await client.openCircuit(to: address)
        XCTAssertTrue(after === circuit, "the hostile responses did not cost the circuit")
        await client.shutdown()
    }
}
