// End-to-end check of the private Tor network harness (scripts/testnet): a network of Debian's C tor
// (3 authorities, relays, one onion service per simulated device) comes up, every device answers
// through a reference C tor client, the client-auth device refuses a client without the key, and
// `down` leaves no process behind. C tor acts as a client only here (via curl's SOCKS5).
//
// Needs the onion-device binary ($ONION_DEVICE_BIN, else <repo>/.build/debug/onion-device, which
// `swift build --build-tests` produces); this test builds nothing and FAILS if it is missing.
import Foundation
import XCTest

final class TestnetHarnessTests: XCTestCase {
    /// <repo>/Tests/TestnetTests/TestnetHarnessTests.swift -> <repo>
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        var timedOut: Bool
    }

    /// Runs a program with a hard time limit; output goes through files, never pipes, so daemons
    /// that inherit a descriptor cannot keep us waiting.
    func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> Run {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("testnet-run-\(UUID().uuidString)")
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        fm.createFile(atPath: outURL.path, contents: nil)
        fm.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        let start = Date()
        try p.run()
        var timedOut = false
        while p.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                p.terminate()
                let killAt = Date()
                while p.isRunning && Date().timeIntervalSince(killAt) < 5 { usleep(50_000) }
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try? out.close()
        try? err.close()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                   seconds: seconds, timedOut: timedOut)
    }

    func testnet(_ arguments: [String], timeout: TimeInterval) throws -> Run {
        try run(Self.repoRoot.appendingPathComponent("scripts/testnet").path, arguments, timeout: timeout)
    }

    /// A process counts as gone if /proc has no entry for it or it is a zombie.
    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let paren = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: paren)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    func curl(socksPort: Int, url: String, maxTime: Int) throws -> Run {
        try run("/usr/bin/env", ["curl", "-sS", "--fail", "--max-time", String(maxTime),
                                 "--socks5-hostname", "127.0.0.1:\(socksPort)", url],
                timeout: TimeInterval(maxTime + 10))
    }

    func testNetworkComesUpDevicesAnswerAndDownLeavesNothing() throws {
        let env = ProcessInfo.processInfo.environment
        let deviceBin = env["ONION_DEVICE_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.repoRoot.appendingPathComponent(".build/debug/onion-device").path
        guard FileManager.default.isExecutableFile(atPath: deviceBin) else {
            XCTFail("onion-device binary missing at \(deviceBin): run `swift build --build-tests` first "
                    + "or set ONION_DEVICE_BIN (this test builds nothing itself)")
            return
        }

        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("onionctl-testnet-\(UUID().uuidString.prefix(8))")
        addTeardownBlock { [self] in
            _ = try? self.testnet(["down", "--dir", dir.path, "--clean"], timeout: 60)
        }

        // up
        let up = try testnet(["up", "--dir", dir.path, "--device-bin", deviceBin, "--timeout", "120", "--json"],
                             timeout: 180)
        print("testnet up: \(String(format: "%.1f", up.seconds)) s (exit \(up.status))")
        guard up.status == 0, !up.timedOut else {
            XCTFail("testnet up failed (exit \(up.status), timed out: \(up.timedOut)):\n\(up.stderr)\n\(up.stdout)")
            return
        }
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(up.stdout.utf8)) as? [String: Any], "up --json output")
        let socksPort = try XCTUnwrap(summary["client_socks_port"] as? Int)

        // network file
        let network = try String(contentsOf: dir.appendingPathComponent("network"), encoding: .utf8)
        let lines = network.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(lines.filter { $0.hasPrefix("DirAuthority ") }.count, 3, network)
        XCTAssertTrue(lines.contains("TestingTorNetwork 1"), network)
        XCTAssertEqual(summary["network_file"] as? String, dir.appendingPathComponent("network").path)

        // every device answers through the reference client (the one with the client-auth keys)
        let devicesData = try Data(contentsOf: dir.appendingPathComponent("devices.json"))
        let devices = try XCTUnwrap(JSONSerialization.jsonObject(with: devicesData) as? [[String: Any]])
        XCTAssertEqual(devices.count, 4)  // thermostat (auth), pins, porch (minitor), hostile (escape sequences)
        var authOnion: String?
        var openOnion: (onion: String, path: String)?
        for device in devices {
            let name = try XCTUnwrap(device["name"] as? String)
            let kind = try XCTUnwrap(device["kind"] as? String)
            let onion = try XCTUnwrap(device["onion"] as? String)
            XCTAssertTrue(onion.hasSuffix(".onion") && onion.count == 62, "\(name): \(onion)")
            XCTAssertEqual(device["port"] as? Int, 80)
            let path = kind == "pins" ? "/links" : "/api/v1/thermostat"
            if device["auth"] as? Bool == true {
                authOnion = onion
                let file = try XCTUnwrap(device["auth_private_file"] as? String)
                let key = try String(contentsOfFile: file, encoding: .utf8)
                XCTAssertTrue(key.hasPrefix(String(onion.dropLast(6)) + ":descriptor:x25519:"), key)
            } else if openOnion == nil {
                openOnion = (onion, path)
            }
            var answer: Run?
            for _ in 0..<3 {  // up already saw it answer; allow a retry for a slow circuit
                answer = try curl(socksPort: socksPort, url: "http://\(onion)\(path)", maxTime: 30)
                if answer?.status == 0 { break }
                sleep(1)
            }
            let body = try XCTUnwrap(answer)
            XCTAssertEqual(body.status, 0, "\(name) (\(onion)\(path)) did not answer: \(body.stderr)")
            let json = try? JSONSerialization.jsonObject(with: Data(body.stdout.utf8))
            if kind == "pins" {
                XCTAssertTrue(json is [Any], "\(name): /links should be a JSON array: \(body.stdout)")
            } else {
                XCTAssertTrue(json is [String: Any], "\(name): thermostat should be a JSON object: \(body.stdout)")
            }
            print("\(name) \(path): \(String(format: "%.2f", body.seconds)) s, \(String(body.stdout.prefix(100)).debugDescription)")
        }

        // a second reference client without the key must not reach the client-auth device
        let authTarget = try XCTUnwrap(authOnion, "no client-auth device in devices.json")
        let noKey = try testnet(["client", "--dir", dir.path, "--name", "nokey", "--no-auth"], timeout: 90)
        XCTAssertEqual(noKey.status, 0, "second client failed: \(noKey.stderr)")
        let noKeyPort = try XCTUnwrap(Int(noKey.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                                      "client printed \(noKey.stdout)")
        XCTAssertNotEqual(noKeyPort, socksPort)
        // Near an onion time-period boundary (every 240 s here) a fresh client can briefly get
        // "descriptor not found" (SOCKS 0xF0, curl "(240)") until the service re-uploads; retry.
        func fetch(_ url: String, until done: (Run) -> Bool) throws -> Run {
            var last = try curl(socksPort: noKeyPort, url: url, maxTime: 20)
            for _ in 0..<4 where !done(last) {
                sleep(3)
                last = try curl(socksPort: noKeyPort, url: url, maxTime: 20)
            }
            return last
        }
        if let open = openOnion {  // control: that client does work for a device without auth
            let ok = try fetch("http://\(open.onion)\(open.path)") { $0.status == 0 }
            XCTAssertEqual(ok.status, 0, "keyless client could not reach \(open.onion): \(ok.stderr)")
        }
        let denied = try fetch("http://\(authTarget)/api/v1/thermostat") { !$0.stderr.contains("(240)") }
        XCTAssertNotEqual(denied.status, 0, "client without the key reached the client-auth device: \(denied.stdout)")
        // C tor with ExtendedErrors answers 0xF4 (missing client auth); curl prints it as "(244)".
        if denied.stderr.contains("SOCKS5") {
            XCTAssertTrue(denied.stderr.contains("(244)"), "expected SOCKS 0xF4 missing client auth: \(denied.stderr)")
        }
        print("keyless client on client-auth device: curl exit \(denied.status) \(denied.stderr.prefix(160))")

        // down
        let pids = try String(contentsOf: dir.appendingPathComponent("pids"), encoding: .utf8)
            .split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        XCTAssertGreaterThanOrEqual(pids.count, 3 + 5 + 4 + 4 + 2)  // auths, relays, devices, their tors, clients
        let down = try testnet(["down", "--dir", dir.path], timeout: 60)
        XCTAssertEqual(down.status, 0, "down failed: \(down.stderr)")
        print("testnet down: \(down.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        let survivors = pids.filter(isAlive)
        XCTAssertEqual(survivors, [], "processes still alive after down")
        print("testnet up \(String(format: "%.1f", up.seconds)) s, down \(String(format: "%.1f", down.seconds)) s, "
              + "total \(String(format: "%.1f", up.seconds + down.seconds)) s")
        XCTAssertLessThan(up.seconds + down.seconds, 60, "up+down took too long")
    }
}
