import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17, end to end through the private Tor network: `onionctl proxy` as a child process on a
/// free loopback port, curl through it to a client-auth device and to open devices (byte-exact),
/// and every SOCKS edge case answered with the right reply while the proxy keeps serving.
final class ProxyEndToEndTests: XCTestCase {
    private var proxy: BoundedChild?
    private var port: UInt16 = 0
    private var sandbox: Sandbox!
    private var network: TestNetwork!

    override func setUpWithError() throws {
        network = try TestNetwork.shared()
        sandbox = Sandbox("proxy")
        let thermostat = try network.device("thermostat")
        XCTAssertEqual(try sandbox.run(["add", "thermostat", thermostat.onion, "--kind", "thermostat"]).code, 0)
        let imported = try sandbox.run(["import", try XCTUnwrap(thermostat.auth_private_file)])
        XCTAssertEqual(imported.code, 0, imported.stderr)
    }

    override func tearDown() {
        if let proxy { proxy.stop(timeout: 10) }
        proxy = nil
        try? FileManager.default.removeItem(at: sandbox.root)
    }

    /// Starts the proxy on port 0 (it picks a free port and prints it); bounded to 10 minutes.
    private func startProxy(_ extra: [String] = [], environment: [String: String]? = nil) throws {
        let child = try BoundedChild(try onionctlBinary(), ["proxy", "--listen", "127.0.0.1:0", "-v",
                                                            "--network", network.networkFile.path] + extra,
                                     environment: environment ?? sandbox.environment, lifetime: 600)
        proxy = child
        XCTAssertTrue(child.waitForOutput("listening on", timeout: 60), "stdout: \(child.stdout)\nstderr: \(child.stderr)")
        let line = try XCTUnwrap(child.stdout.split(separator: "\n").first { $0.hasPrefix("listening on 127.0.0.1:") })
        port = try XCTUnwrap(UInt16(line.dropFirst("listening on 127.0.0.1:".count).prefix { $0.isNumber }))
    }

    /// curl through the proxy; the body in a file (it may be binary).
    private func curl(_ url: String, _ options: [String] = ["--socks5-hostname"]) throws -> (code: Int32, body: Data, stderr: String) {
        let output = sandbox.root.appendingPathComponent("body-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = try runBounded("/usr/bin/curl", ["-sS", "--max-time", "120", "-o", output.path]
                                 + options + ["127.0.0.1:\(port)", url], timeout: 150)
        return (run.status, (try? Data(contentsOf: output)) ?? Data(), run.stderr)
    }

    private static func blob(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 8)) })
    }

    func testCurlReachesAClientAuthDeviceAndOpenDevicesByteExact() throws {
        try startProxy()
        let thermostat = try network.device("thermostat"), pins = try network.device("pins"), porch = try network.device("porch")
        // The client-auth device, with the address book's key: a large body, byte for byte.
        let large = try curl("http://\(thermostat.onion)/test/blob?bytes=4000000")
        XCTAssertEqual(large.code, 0, large.stderr + (proxy?.stderr ?? ""))
        XCTAssertEqual(large.body.count, 4_000_000)
        XCTAssertTrue(large.body == Self.blob(4_000_000), "the body differs from the pattern")
        // An open device: the page equals the one its local port serves; SOCKS4a too.
        let page = try curl("http://\(pins.onion)/links")
        XCTAssertEqual(page.code, 0, page.stderr)
        let direct = try runBounded("/usr/bin/curl", ["-sS", "--max-time", "30", "http://127.0.0.1:\(pins.local_port)/links"], timeout: 60)
        XCTAssertFalse(page.body.isEmpty)
        XCTAssertEqual(String(decoding: page.body, as: UTF8.self), direct.stdout)
        let socks4a = try curl("http://\(pins.onion)/links", ["--socks4a"])
        XCTAssertEqual(socks4a.code, 0, socks4a.stderr)
        XCTAssertEqual(socks4a.body, page.body)
        // An open device's large body (Minitor-style service).
        let porchBody = try curl("http://\(porch.onion)/test/blob?bytes=1000000")
        XCTAssertEqual(porchBody.code, 0, porchBody.stderr)
        XCTAssertTrue(porchBody.body == Self.blob(1_000_000), "porch's body differs (\(porchBody.body.count) bytes)")

        // SIGTERM: a clean stop, exit 0.
        let status = proxy?.stop(timeout: 30)
        XCTAssertEqual(status, 0, proxy?.stderr ?? "")
        XCTAssertTrue(proxy?.stderr.contains("onionctl proxy: stopped") ?? false)
        XCTAssertTrue(proxy?.stderr.contains("stream open to \(thermostat.onion):80") ?? false, proxy?.stderr ?? "")
    }

    func testSOCKSEdgeCasesGetTheirRepliesAndTheProxyKeepsServing() throws {
        try startProxy(["--handshake-timeout", "3", "--max-connections", "8"])
        let pins = try network.device("pins")
        let onion = Array(pins.onion.utf8)
        let greeting: [UInt8] = [5, 1, 0]
        func request(_ command: UInt8, _ atyp: UInt8, _ address: [UInt8], port: UInt16 = 80) -> [UInt8] {
            [5, command, 0, atyp] + address + [UInt8(port >> 8), UInt8(port & 0xFF)]
        }
        let domain = [UInt8(onion.count)] + onion
        // Each: what the client sends, what it must get back (then the proxy closes).
        let cases: [(String, [UInt8], [UInt8])] = [
            ("BIND", greeting + request(2, 3, domain), [5, 0] + reply(0x07)),
            ("UDP ASSOCIATE", greeting + request(3, 3, domain), [5, 0] + reply(0x07)),
            ("Tor RESOLVE", greeting + request(0xF0, 3, domain), [5, 0] + reply(0x07)),
            ("IPv4 target", greeting + request(1, 1, [127, 0, 0, 1]), [5, 0] + reply(0x02)),
            ("IPv6 target", greeting + request(1, 4, [UInt8](repeating: 0, count: 15) + [1]), [5, 0] + reply(0x02)),
            ("clearnet name", greeting + request(1, 3, [11] + Array("example.com".utf8)), [5, 0] + reply(0x02)),
            ("bad onion checksum", greeting + request(1, 3, [UInt8(onion.count)] + onion.map { $0 == UInt8(ascii: "d") ? UInt8(ascii: "a") : $0 }), [5, 0] + reply(0x01)),
            ("unknown address type", greeting + [5, 1, 0, 9, 1, 2, 3, 4, 0, 80], [5, 0] + reply(0x08)),
            ("no acceptable method", [5, 1, 2], [5, 0xFF]),
            ("SOCKS4 with an IP", [4, 1, 0, 80, 127, 0, 0, 1, 0], [0, 91, 0, 0, 0, 0, 0, 0]),
            ("malformed greeting", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), []),
            ("empty method list", [5, 0], []),
            ("silent client (handshake timeout)", [], []),
            ("vanishes mid-request", greeting + [5, 1, 0, 3, 60], [5, 0]),
        ]
        for (name, sent, expected) in cases {
            let client = try RawClient(port: port)
            if !sent.isEmpty { try client.send(sent) }
            if name == "vanishes mid-request" {
                XCTAssertEqual(try client.read(count: 2), [5, 0], name)
                client.close()  // gone before its request was complete
                continue
            }
            XCTAssertEqual(try client.readToEnd(), expected, name)
            client.close()
        }
        // A client that vanishes mid-transfer (after the first bytes of a large body).
        let thermostat = try network.device("thermostat")
        let client = try RawClient(port: port)
        let name = Array(thermostat.onion.utf8)
        try client.send(greeting + request(1, 3, [UInt8(name.count)] + name))
        XCTAssertEqual(try client.read(count: 12), [5, 0] + reply(0))
        try client.send(Array("GET /test/blob?bytes=8000000 HTTP/1.1\r\nHost: \(thermostat.onion)\r\n\r\n".utf8))
        XCTAssertEqual(try client.read(count: 12), Array("HTTP/1.1 200".utf8))
        client.close()
        // ... and more connections than --max-connections at once: the extra ones are closed
        // unanswered, the others answer their greeting.
        let many = try (0..<12).map { _ in try RawClient(port: port) }
        var answered = 0, closed = 0
        for client in many {
            try? client.send(greeting)
            switch try? client.read(count: 2) {
            case [5, 0]?: answered += 1
            default: closed += 1
            }
        }
        XCTAssertGreaterThanOrEqual(closed, 4, "12 clients, at most 8 served")
        XCTAssertGreaterThanOrEqual(answered, 1)
        many.forEach { $0.close() }

        // The proxy still serves others.
        let page = try curl("http://\(pins.onion)/links")
        XCTAssertEqual(page.code, 0, page.stderr + (proxy?.stderr ?? ""))
        XCTAssertFalse(page.body.isEmpty)
        let log = proxy?.stderr ?? ""
        XCTAssertTrue(log.contains("connections are open already"), log)
        XCTAssertTrue(log.contains("no SOCKS request within 3 s"), log)
        XCTAssertTrue(log.contains("example.com is not an onion address"), log)
        XCTAssertEqual(proxy?.stop(timeout: 30), 0, log)
    }

    func testAMissingClientAuthKeyIsSaidByTheReply() throws {
        // An address book without the thermostat's key: host unreachable, or 0xF4 with --extended-errors.
        let keyless = Sandbox("proxy-keyless")
        defer { try? FileManager.default.removeItem(at: keyless.root) }
        let thermostat = try network.device("thermostat")
        let name = Array(thermostat.onion.utf8)
        let connect: [UInt8] = [5, 1, 0, 5, 1, 0, 3, UInt8(name.count)] + name + [0, 80]
        for (flags, code) in [([String](), UInt8(0x04)), (["--extended-errors"], UInt8(0xF4))] {
            try startProxy(flags, environment: keyless.environment)
            let client = try RawClient(port: port)
            try client.send(connect)
            XCTAssertEqual(try client.readToEnd(), [5, 0] + reply(code), "\(flags)")
            client.close()
            XCTAssertTrue(proxy?.stderr.contains("requires client authorization, and no key is configured for it") ?? false,
                          proxy?.stderr ?? "")
            XCTAssertEqual(proxy?.stop(timeout: 30), 0)
        }
    }

    func testANonLoopbackListenAddressIsRefusedWithoutTheFlag() throws {
        let refused = try sandbox.run(["proxy", "--listen", "0.0.0.0:0", "--network", network.networkFile.path], timeout: 30)
        XCTAssertEqual(refused.code, 2)
        XCTAssertTrue(refused.stderr.contains("--allow-non-loopback"), refused.stderr)
    }

    private func reply(_ code: UInt8) -> [UInt8] { [5, code, 0, 1, 0, 0, 0, 0, 0, 0] }
}

/// A blocking TCP client on loopback with a 60 s receive timeout (every read is bounded).
private final class RawClient {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawClientError("connect: \(String(cString: strerror(errno)))") }
    }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw RawClientError("send: \(sent)") }
    }

    /// Exactly `count` bytes (fewer if the proxy closes first).
    func read(count: Int) throws -> [UInt8] {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: count)
        while out.count < count {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - out.count, 0) }
            if got == 0 { break }
            guard got > 0 else { throw RawClientError("recv: \(String(cString: strerror(errno)))") }
            out += buffer[0..<got]
        }
        return out
    }

    /// Everything until the proxy closes (at most 64 KiB).
    func readToEnd() throws -> [UInt8] {
        var out = [UInt8]()
        while out.count < 65536 {
            let chunk = try read(count: 1)
            if chunk.isEmpty { break }
            out += chunk
        }
        return out
    }

    func close() { _ = Glibc.close(fd) }
}

private struct RawClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
