import Devices
import Foundation
import OnionService
import TestSupport
import TorCircuits
import TorClient
import TorCrypto
import XCTest

func fetchHTTP(_ client: TorClient, _ device: TestNetwork.Device, _ path: String,
                 method: String = "GET", body: [UInt8] = [], maxBody: Int = 16 << 20) async throws -> HTTPResponse {
    let address = try OnionAddress(device.onion)
    let stream = try await client.connect(to: address, port: 80)
    defer { stream.close() }
    let request = HTTPRequest(method: method, path: path, host: device.onion, body: body)
    return try await HTTPClient(timeout: 120, maxBodyBytes: maxBody).send(request, over: stream)
}

/// Issue 4, end to end: our client against C tor onion services (with and without client
/// authorization) in front of `onion-device`.
final class OnionServiceEndToEndTests: XCTestCase {
    func testGetFromServiceWithClientAuthAndFromOneWithout() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("auth-ok", network: network)
        let thermostat = try network.device("thermostat")
        await client.setClientAuthKey(try authKey(for: thermostat), for: try OnionAddress(thermostat.onion))
        let reading = try await fetchHTTP(client, thermostat, "/api/v1/thermostat")
        XCTAssertEqual(reading.status, 200)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reading.body)) as? [String: Any])
        XCTAssertEqual(json["name"] as? String, "thermostat")
        XCTAssertNotNil(json["setpoint"] as? Double)
        let pins = try await fetchHTTP(client, try network.device("pins"), "/links")
        XCTAssertEqual(pins.status, 200)
        XCTAssertTrue(pins.bodyText.contains("\"index\""), pins.bodyText)
        await client.shutdown()
    }

    func testMissingKeyAndWrongKeyAreReportedAsSuch() async throws {
        let network = try TestNetwork.shared()
        let thermostat = try network.device("thermostat")
        let address = try OnionAddress(thermostat.onion)
        let noKey = try makeClient("auth-none", network: network)
        do {
            _ = try await noKey.connect(to: address, port: 80)
            XCTFail("connecting without a key must fail")
        } catch let error as OnionServiceError {
            XCTAssertEqual(error, .clientAuthorizationRequired(onion: thermostat.onion))
            XCTAssertTrue(error.description.contains("requires client authorization"))
        }
        await noKey.shutdown()
        let wrongKey = try makeClient("auth-wrong", network: network)
        await wrongKey.setClientAuthKey(.generate(), for: address)
        do {
            _ = try await wrongKey.connect(to: address, port: 80)
            XCTFail("connecting with the wrong key must fail")
        } catch let error as OnionServiceError {
            XCTAssertEqual(error, .clientAuthorizationRejected(onion: thermostat.onion))
        }
        await wrongKey.shutdown()
    }

    func testTenMegabyteDownloadAndOneMegabyteUploadAreByteExact() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("bulk", network: network)
        let device = try network.device("thermostat")
        await client.setClientAuthKey(try authKey(for: device), for: try OnionAddress(device.onion))
        let size = 10 * 1024 * 1024
        let download = try await fetchHTTP(client, device, "/test/blob?bytes=\(size)", maxBody: size)
        XCTAssertEqual(download.status, 200)
        XCTAssertEqual(download.body.count, size)
        let mismatch = download.body.indices.first { download.body[$0] != UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 8)) }
        XCTAssertNil(mismatch, "first differing byte")
        var upload = [UInt8](repeating: 0, count: 1024 * 1024)
        for index in upload.indices { upload[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 3) }
        let echoed = try await fetchHTTP(client, device, "/test/echo", method: "POST", body: upload)
        XCTAssertEqual(echoed.status, 200)
        XCTAssertEqual(echoed.body.count, upload.count)
        XCTAssertTrue(echoed.body == upload, "1 MB echoed back byte for byte")
        await client.shutdown()
    }

    /// A writer waiting for the stream window must learn that the device ended the stream (the
    /// simulator refuses a 64 MB body at its header and closes), not wait for a SENDME forever.
    func testWriterWaitingForWindowLearnsTheDeviceEndedTheStream() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("ended-writer", network: network)
        let device = try network.device("pins")
        let stream = try await client.connect(to: try OnionAddress(device.onion), port: UInt16(device.port))
        let size = 64 << 20
        try await stream.write(Array("POST /test/echo HTTP/1.1\r\nHost: pins\r\nContent-Length: \(size)\r\n\r\n".utf8))
        let body = [UInt8](repeating: 0x61, count: size)
        do {
            try await withTimeout(120, error: TestNetworkError("the writer never learned that the stream ended")) {
                try await stream.write(body)
            }
            XCTFail("64 MB went through although the device refused the body")
        } catch let error as StreamError {
            XCTAssertEqual(error, .closed, "the stream ended while the writer waited")
        }
        // The circuit is fine: the next request on it is answered.
        let links = try await fetchHTTP(client, device, "/links")
        XCTAssertEqual(links.status, 200)
        await client.shutdown()
    }

    func testTwoHundredSequentialRequestsReuseOneRendezvousCircuit() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("seq", network: network)
        let device = try network.device("pins")
        let address = try OnionAddress(device.onion)
        _ = try await fetchHTTP(client, device, "/links")
        let circuit = await client.openCircuit(to: address)
        let first = try XCTUnwrap(circuit)
        for index in 0..<200 {
            let response = try await fetchHTTP(client, device, "/links")
            XCTAssertEqual(response.status, 200, "request \(index)")
        }
        let after = await client.openCircuit(to: address)
        XCTAssertTrue(after === first, "all 200 requests used the same rendezvous circuit")
        XCTAssertEqual(first.hopCount, 4, "3 relays + the virtual onion-service hop")
        await client.shutdown()
    }

    func testTwentyConcurrentStreamsOnOneCircuit() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("conc", network: network)
        let device = try network.device("thermostat")
        await client.setClientAuthKey(try authKey(for: device), for: try OnionAddress(device.onion))
        _ = try await fetchHTTP(client, device, "/api/v1/thermostat")
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let response = try await fetchHTTP(client, device, "/test/blob?bytes=\(20_000 + index)")
                    XCTAssertEqual(response.status, 200)
                    return response.body.count
                }
            }
            var sizes = [Int]()
            for try await size in group { sizes.append(size) }
            return sizes
        }
        XCTAssertEqual(sizes.sorted(), (0..<20).map { 20_000 + $0 })
        await client.shutdown()
    }

    func testMinitorQuirkDeviceAnswers() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("minitor", network: network)
        let porch = try network.device("porch")
        XCTAssertEqual(porch.quirks, ["minitor"])
        let index = try await fetchHTTP(client, porch, "/")
        XCTAssertEqual(index.header("Transfer-Encoding"), "chunked")
        XCTAssertTrue(index.bodyText.contains("porch"))
        let reading = try await fetchHTTP(client, porch, "/api/v1/thermostat")
        XCTAssertEqual(reading.status, 200)
        await client.shutdown()
    }

    func testServiceRestartMidSessionReconnectsByItself() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("restart", network: network)
        let device = try network.device("pins")
        let address = try OnionAddress(device.onion)
        _ = try await fetchHTTP(client, device, "/links")
        let open = await client.openCircuit(to: address)
        let before = try XCTUnwrap(open)
        try network.harness(["stop-device", "pins"])
        try network.harness(["start-device", "pins"])
        // The restarted service publishes new introduction points; the next requests must find it again.
        var answered: HTTPResponse?
        var errors = [String]()
        for _ in 0..<12 where answered == nil {
            do { answered = try await fetchHTTP(client, device, "/links") } catch {
                errors.append("\(error)")
                try await Task.sleep(for: .seconds(5))
            }
        }
        XCTAssertEqual(answered?.status, 200, "errors: \(errors)")
        print("restart: \(errors.count) failed attempts before reconnecting: \(errors)")
        let after = await client.openCircuit(to: address)
        XCTAssertFalse(after === before, "a new rendezvous circuit replaced the dead one")
        XCTAssertFalse(before.isOpen)
        await client.shutdown()
    }
}
