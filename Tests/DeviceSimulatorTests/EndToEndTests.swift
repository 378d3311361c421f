import XCTest
@testable import DeviceSimulator

/// Starts the real server in-process on 127.0.0.1 with an ephemeral port and talks to it
/// over raw sockets.
final class EndToEndTests: XCTestCase {
    private func startHost(kind: DeviceKind = .thermostat, quirks: HTTPQuirks = .none,
                           acceptInterval: TimeInterval? = 0, idleTimeout: TimeInterval? = nil) throws -> (DeviceHost, UInt16) {
        let directory = try makeTemporaryDirectory(self)
        let options = DeviceOptions(listen: try LoopbackAddress(host: "127.0.0.1", port: 0),
                                    statePath: directory + "/state.json", kind: kind, quirks: quirks,
                                    acceptInterval: acceptInterval, idleTimeout: idleTimeout)
        let host = try DeviceHost(options: options, clock: ManualClock(), tickInterval: nil)
        let port = try host.start()
        XCTAssertNotEqual(port, 0)
        addTeardownBlock { try? host.stop() }
        return (host, port)
    }

    func testThermostatOverHTTP() throws {
        let (_, port) = try startHost()
        let client = try RawClient(port: port)
        let get = try client.request("GET", "/api/v1/thermostat")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.headers["Content-Type"], "application/json")
        XCTAssertNotNil(get.headers["Date"])
        XCTAssertEqual(get.json?["setpoint"], .number(21))

        let patch = try client.request("PATCH", "/api/v1/thermostat", body: #"{"setpoint":19.5,"mode":"cool"}"#)
        XCTAssertEqual(patch.status, 200)
        XCTAssertEqual(patch.json?["setpoint"], .number(19.5))
        XCTAssertEqual(patch.json?["mode"], .string("cool"))

        let invalid = try client.request("PATCH", "/api/v1/thermostat", body: #"{"setpoint":30.5}"#)
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.json?["field"], .string("setpoint"))
        XCTAssertEqual(try client.request("GET", "/api/v1/thermostat").json?["setpoint"], .number(19.5))

        XCTAssertEqual(try client.request("GET", "/api/v1/thermostat/history").status, 200)
        XCTAssertEqual(try client.request("GET", "/missing").status, 404)
        XCTAssertEqual(try client.request("POST", "/api/v1/thermostat", body: "{}").status, 405)
    }

    func testPipeliningAndConnectionClose() throws {
        let (_, port) = try startHost()
        let client = try RawClient(port: port)
        client.transmit("GET / HTTP/1.1\r\n\r\nGET /api/v1/thermostat HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(try client.readResponse().json?["units"], .string("C"))
        let last = try client.readResponse()
        XCTAssertEqual(last.status, 404)
        XCTAssertEqual(last.headers["Connection"], "close")
        XCTAssertTrue(client.closedWithin(2))
    }

    func testMalformedAndOversizedRequestsAreAnsweredAndClosed() throws {
        let (_, port) = try startHost()
        let bad = try RawClient(port: port)
        bad.transmit("HELLO\r\n\r\n")
        XCTAssertEqual(try bad.readResponse().status, 400)
        XCTAssertTrue(bad.closedWithin(2))
        let big = try RawClient(port: port)
        big.transmit("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n")
        XCTAssertEqual(try big.readResponse().status, 431)
        XCTAssertTrue(big.closedWithin(2))
    }

    func testPinsOverHTTP() throws {
        let (_, port) = try startHost(kind: .pins)
        let client = try RawClient(port: port)
        let list = try client.request("GET", "/links")
        XCTAssertEqual(list.status, 200)
        XCTAssertEqual(list.headers["Content-Type"], "text/html")
        XCTAssertTrue(list.text.contains("\t\t\"name\":\t\"led\""))
        let post = try client.request("POST", "/links", body: #"{"name":"fan","index":2,"type":0,"pin":{"num":5,"state":true}}"#)
        XCTAssertEqual(post.status, 200)
        XCTAssertEqual(post.text, "Link created successfully")
        guard case .array(let links)? = try client.request("GET", "/links").json else { return XCTFail("not an array") }
        XCTAssertEqual(links.count, 3)
        XCTAssertEqual(links[2]["pin"]?["state"], .number(1))
        let options = try client.request("OPTIONS", "/links")
        XCTAssertEqual(options.text, "Fine option")
        XCTAssertEqual(options.headers["Access-Control-Allow-Origin"], "*")
        let crash = try client.request("POST", "/links", body: #"{"index":9}"#)
        XCTAssertEqual(crash.status, 500)
        XCTAssertEqual(crash.text, "Failed to post control value")
    }

    func testMinitorQuirks() throws {
        let (_, port) = try startHost(kind: .pins, quirks: .minitor, acceptInterval: 0, idleTimeout: 1)
        let client = try RawClient(port: port)
        // Pipelined second request: Minitor/ESP-IDF serves one request per connection here.
        client.transmit("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /links HTTP/1.1\r\n\r\n")
        let index = try client.readResponse()
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.headers["Transfer-Encoding"], "chunked")
        XCTAssertNil(index.headers["Content-Length"])
        XCTAssertNil(index.headers["Date"])
        XCTAssertNil(index.headers["Server"])
        XCTAssertNil(index.headers["Connection"])
        XCTAssertTrue(index.text.contains("code-me-not"))
        // No EOF after the response despite Connection: close, and the second request is ignored...
        XCTAssertFalse(client.closedWithin(0.3))
        XCTAssertEqual(client.unreadBytes, 0)
        // ...until the idle timeout closes the connection.
        XCTAssertTrue(client.closedWithin(3))

        let links = try RawClient(port: port)
        let list = try links.request("GET", "/links")
        XCTAssertEqual(list.headers["Content-Length"], "\(list.body.count)")
        XCTAssertNil(list.headers["Date"])
    }

    func testMinitorErrorResponseClosesTheConnection() throws {
        let (_, port) = try startHost(kind: .pins, quirks: .minitor, acceptInterval: 0, idleTimeout: 5)
        let client = try RawClient(port: port)
        XCTAssertEqual(try client.request("POST", "/links", body: "nonsense").status, 500)
        XCTAssertTrue(client.closedWithin(2))
    }

    func testMinitorAcceptInterval() throws {
        let (_, port) = try startHost(quirks: .minitor, acceptInterval: 0.5, idleTimeout: 1)
        let first = try RawClient(port: port)
        XCTAssertEqual(try first.request("GET", "/api/v1/thermostat").status, 200)
        let start = Date()
        let second = try RawClient(port: port) // the kernel completes the handshake; the server waits
        XCTAssertEqual(try second.request("GET", "/api/v1/thermostat").status, 200)
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.3)
    }

    func testStopClosesConnectionsAndRefusesNewOnes() throws {
        let (host, port) = try startHost()
        let client = try RawClient(port: port)
        XCTAssertEqual(try client.request("GET", "/").status, 200)
        try host.stop()
        XCTAssertTrue(client.closedWithin(2))
        XCTAssertThrowsError(try RawClient(port: port))
    }
}
