import Foundation
import TestSupport
import XCTest

/// Issue 6, end to end: the real `onionctl` binary in tmux, on the private Tor network, reaching the
/// simulated thermostat through the embedded Tor client. Effects are checked on the device itself.
final class DashboardEndToEndTests: XCTestCase {
    var session: TmuxSession?

    override func tearDown() {
        session?.kill()
        session = nil
    }

    private func binary(_ name: String) throws -> String {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            let path = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let fallback = TestNetwork.repositoryRoot.appendingPathComponent(".build/debug/\(name)").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw TestNetworkError("\(name) is not built: run swift build --build-tests")
        }
        return fallback
    }

    /// Runs a command and returns its standard output.
    @discardableResult
    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        try runBounded(executable, arguments,
                       environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                       timeout: 120).stdout
    }

    /// The thermostat's state read directly from the simulator on loopback (not through onionctl).
    private func deviceState(_ device: TestNetwork.Device, patch: String? = nil) throws -> [String: Any] {
        var arguments = ["-s", "-m", "10", "http://127.0.0.1:\(device.local_port)/api/v1/thermostat"]
        if let patch { arguments = ["-X", "PATCH", "-H", "Content-Type: application/json", "-d", patch] + arguments }
        let text = try run("/usr/bin/curl", arguments)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testPlusTwiceRaisesTheDeviceSetpointByOneDegreeResizeAndQuit() throws {
        let (s, thermostat, _, _) = try openDashboardOnTheThermostat()
        var (ok, screen) = (false, "")
        XCTAssertEqual(try s.display("#{alternate_on}"), "1")

        try s.sendKeys("Enter")
        (ok, screen) = try s.waitFor { $0.contains("Setpoint") }
        XCTAssertTrue(ok, screen)
        try s.sendKeys("+")
        try s.sendKeys("+")
        // The device itself must reach 21.0 (bounded wait).
        var setpoint = 0.0
        for _ in 0..<60 {
            setpoint = try XCTUnwrap(deviceState(thermostat)["setpoint"] as? Double)
            if setpoint == 21.0 { break }
            Thread.sleep(forTimeInterval: 1)
        }
        XCTAssertEqual(setpoint, 21.0, "two presses of + must raise the device's setpoint by 1.0")
        (ok, screen) = try s.waitFor(timeout: 30) { $0.contains("21.0 °C") && !$0.contains("pending") }
        XCTAssertTrue(ok, "the dashboard did not show the confirmed setpoint:\n\(screen)")

        try s.resize(width: 132, height: 43)
        (ok, screen) = try s.waitFor { screen in
            screen.split(separator: "\n", omittingEmptySubsequences: false).contains { $0.hasPrefix("┌") && $0.count == 132 }
        }
        XCTAssertTrue(ok, "layout did not adapt to 132×43:\n\(screen)")

        try s.sendKeys("q")
        (ok, screen) = try s.waitFor(timeout: 10) { $0.contains("onionctl-exited-0") }
        XCTAssertTrue(ok, "q did not quit:\n\(screen)")
        XCTAssertEqual(try s.display("#{alternate_on} #{cursor_flag}"), "0 1", "terminal restored: normal screen, cursor on")
    }

    /// A sandboxed address book with the private network's thermostat (and its key), a known
    /// setpoint of 20 °C on the device, and the dashboard open in tmux showing its reading.
    private func openDashboardOnTheThermostat(width: Int = 80, height: Int = 24, extraArguments: String = "") throws
        -> (session: TmuxSession, thermostat: TestNetwork.Device, onionctl: String, environment: [String: String]) {
        guard TmuxSession.isAvailable else { throw TestNetworkError("tmux is not installed (scripts/install-deps installs it)") }
        let network = try TestNetwork.shared()
        let onionctl = try binary("onionctl")
        let home = makeTemporaryDirectory("dashboard-e2e")
        let environment = ["XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
                           "XDG_STATE_HOME": home.appendingPathComponent("state").path]
        let thermostat = try network.device("thermostat")
        try run(onionctl, ["add", "thermostat", thermostat.onion, "--kind", "thermostat"], environment: environment)
        try run(onionctl, ["import", network.authDirectory.path], environment: environment)
        _ = try deviceState(thermostat, patch: #"{"setpoint": 20.0, "mode": "heat"}"#)
        let env = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let command = "env -u NO_COLOR LANG=C.UTF-8 TERM=tmux-256color \(env) '\(onionctl)' --network '\(network.networkFile.path)' \(extraArguments);"
            + " echo \"onionctl-exited-$?\"; sleep 60"
        let s = try TmuxSession.start(command, width: width, height: height)
        session = s
        let (ok, screen) = try s.waitFor(timeout: 120) { $0.contains("thermostat") && $0.contains("20.0 heat") }
        XCTAssertTrue(ok, "the dashboard never showed the thermostat's reading:\n\(screen)")
        return (s, thermostat, onionctl, environment)
    }

    /// Issue 20 item 1: `:set thermostat setpoint 35` said "setpoint 35.0 °C sent" while the device
    /// refused it (range 5–30) and stayed at 20; the refusal was only on the Log screen. Now it is
    /// refused on the command line with the device's limits, and a valid value is reported only once
    /// the device has confirmed it.
    func testColonSetRefusesOutOfRangeAndOffStepValuesWhereTheyWereTyped() throws {
        let (s, thermostat, _, _) = try openDashboardOnTheThermostat(width: 132, height: 30)
        try s.sendKeys(":")
        try s.sendLiteral("set thermostat setpoint 35")
        try s.sendKeys("Enter")
        var (ok, screen) = try s.waitFor(timeout: 30) { $0.contains("outside this thermostat's range 5–30 °C") }
        XCTAssertTrue(ok, "the refusal is not shown where it was typed:\n\(screen)")
        XCTAssertFalse(screen.contains("sent"), screen)
        XCTAssertTrue(screen.contains("not changed"), screen)

        try s.sendKeys(":")
        try s.sendLiteral("set thermostat setpoint 21.3")
        try s.sendKeys("Enter")
        (ok, screen) = try s.waitFor(timeout: 30) { $0.contains("not a multiple of this thermostat's step") }
        XCTAssertTrue(ok, "the off-step refusal is not shown:\n\(screen)")
        XCTAssertEqual(try deviceState(thermostat)["setpoint"] as? Double, 20.0, "nothing reached the device")

        try s.sendKeys(":")
        try s.sendLiteral("set thermostat setpoint 22")
        try s.sendKeys("Enter")
        (ok, screen) = try s.waitFor(timeout: 120) { $0.contains("setpoint 22.0 °C, confirmed by the device") }
        XCTAssertTrue(ok, "a valid setpoint is not reported as confirmed:\n\(screen)")
        XCTAssertEqual(try deviceState(thermostat)["setpoint"] as? Double, 22.0)
    }

    /// Issue 20 item 5 with a device whose onion service is stopped: the dashboard ends with the
    /// CLI's word ("offline"), the detail view shows the whole reason, and r starts again at once.
    func testAStoppedDeviceIsOfflineWithItsWholeReasonAndRRetriesAtOnce() throws {
        let (s, _, _, _) = try openDashboardOnTheThermostat(width: 100, height: 30)
        let network = try TestNetwork.shared()
        try network.harness(["stop-device", "thermostat"])
        defer { _ = try? network.harness(["start-device", "thermostat"]) }
        try s.sendKeys("Enter")
        var (ok, screen) = try s.waitFor { $0.contains("Setpoint") }
        XCTAssertTrue(ok, screen)
        // Retry until the stopped service is noticed (bounded: a few attempts of at most the timeouts).
        for _ in 0..<6 {
            try s.sendKeys("r")
            (ok, screen) = try s.waitFor(timeout: 75) { $0.contains("it seems offline") }
            if ok { break }
        }
        XCTAssertTrue(ok, "the stopped device was never reported offline:\n\(screen)")
        XCTAssertTrue(screen.contains("press r to retry now."), "the advice is cut off:\n\(screen)")
        try s.sendKeys("Escape")
        (ok, screen) = try s.waitFor { $0.contains("✗ offline") }
        XCTAssertTrue(ok, "the list does not use the CLI's word:\n\(screen)")
        try s.sendKeys("r")
        (ok, screen) = try s.waitFor(timeout: 10) { !$0.contains("✗ offline") }
        XCTAssertTrue(ok, "r did nothing visible:\n\(screen)")
    }

    /// Issue 17: `onionctl --proxy 127.0.0.1:0` runs the SOCKS proxy on the dashboard's own Tor
    /// client (the address book's key reaches the client-auth thermostat); curl goes through it and
    /// the dashboard shows the stream while it is open, then the total.
    func testDashboardProxyCarriesCurlAndShowsItsStreams() throws {
        let (s, thermostat, _, _) = try openDashboardOnTheThermostat(extraArguments: "--proxy 127.0.0.1:0")
        var (ok, screen) = try s.waitFor(timeout: 30) { $0.contains("SOCKS proxy on 127.0.0.1:") }
        XCTAssertTrue(ok, "no proxy line:\n\(screen)")
        XCTAssertTrue(screen.contains("0 streams open · 0 in all"), screen)
        let line = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains("SOCKS proxy on 127.0.0.1:") })
        let port = try XCTUnwrap(Int(line.split(separator: "127.0.0.1:")[1].prefix { $0.isNumber }), String(line))

        // A slow download keeps the stream open long enough to be seen (bounded by curl and the child).
        let output = makeTemporaryDirectory("dashboard-proxy").appendingPathComponent("blob")
        let slow = try BoundedChild("/usr/bin/curl", ["-sS", "--max-time", "120", "--limit-rate", "100k", "-o", output.path,
                                                     "--socks5-hostname", "127.0.0.1:\(port)",
                                                     "http://\(thermostat.onion)/test/blob?bytes=1500000"], lifetime: 150)
        defer { slow.stop(timeout: 5) }
        (ok, screen) = try s.waitFor(timeout: 90) { $0.contains("1 stream open · 1 in all") }
        XCTAssertTrue(ok, "the open stream is not shown:\n\(screen)\ncurl: \(slow.stderr)")
        var status: Int32?
        for _ in 0..<1500 {
            status = slow.reap()
            if status != nil { break }
            usleep(100_000)
        }
        XCTAssertEqual(status, 0, "curl through the dashboard's proxy failed: \(slow.stderr)")
        let body = try Data(contentsOf: output)
        XCTAssertEqual(body.count, 1_500_000)
        XCTAssertTrue(body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset &* 31 &+ ($0.offset >> 8)) },
                      "the body differs from the pattern")
        (ok, screen) = try s.waitFor(timeout: 10) { $0.contains("0 streams open · 1 in all") }
        XCTAssertTrue(ok, "the closed stream is not counted:\n\(screen)")

        try s.sendKeys("q")
        (ok, screen) = try s.waitFor(timeout: 10) { $0.contains("onionctl-exited-0") }
        XCTAssertTrue(ok, "q did not quit with the proxy running:\n\(screen)")
    }

    /// Issue 17: a proxy port already in use is said on the dashboard, which keeps running.
    func testDashboardSaysWhenItsProxyCannotListen() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0
                && getsockname(fd, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let (s, _, _, _) = try openDashboardOnTheThermostat(extraArguments: "--proxy 127.0.0.1:\(port)")
        let (ok, screen) = try s.waitFor(timeout: 30) {
            $0.contains("SOCKS proxy on 127.0.0.1:\(port) not running: Address already in use")
        }
        XCTAssertTrue(ok, "the failed proxy is not explained:\n\(screen)")
        XCTAssertTrue(screen.contains("20.0 heat"), "the dashboard stopped working:\n\(screen)")
    }
}
