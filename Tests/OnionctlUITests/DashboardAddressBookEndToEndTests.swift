import Foundation
import TestSupport
import XCTest

/// Issue 20 items 2 and 9 with the real `onionctl` in tmux: a corrupt address book is explained on
/// the device screen, and changes made by `onionctl add` while the dashboard is open appear in it.
/// The network file names closed loopback ports: no device is reached, none needs to be.
final class DashboardAddressBookEndToEndTests: XCTestCase {
    var session: TmuxSession?

    override func tearDown() {
        session?.kill()
        session = nil
    }

    private func onionctlBinary() throws -> String {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            let path = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("onionctl").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let fallback = TestNetwork.repositoryRoot.appendingPathComponent(".build/debug/onionctl").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw TestNetworkError("onionctl is not built: run swift build --build-tests")
        }
        return fallback
    }

    func testACorruptBookIsExplainedAndLaterChangesAppearWithoutAKey() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed") }
        let onionctl = try onionctlBinary()
        let home = makeTemporaryDirectory("dashboard-book")
        let environment = ["XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
                           "XDG_STATE_HOME": home.appendingPathComponent("state").path]
        let bookFolder = home.appendingPathComponent("config/onionctl")
        try FileManager.default.createDirectory(at: bookFolder, withIntermediateDirectories: true)
        let book = bookFolder.appendingPathComponent("devices.toml")
        let corrupt = "schema = 1\n[devices.x]\nonion = 12\n"
        try corrupt.write(to: book, atomically: true, encoding: .utf8)
        let network = home.appendingPathComponent("network")
        try """
            DirAuthority auth1 orport=9 no-v2 v3ident=D7A5001BAFA20C7D8DB1BBBB142F878BB70ECABF 127.0.0.1:9 B53E36D0C3D4E57D25732DCC5464B66727219B61
            TestingTorNetwork 1

            """.write(to: network, atomically: true, encoding: .utf8)

        let env = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let command = "env -u NO_COLOR LANG=C.UTF-8 TERM=tmux-256color \(env) '\(onionctl)' --network '\(network.path)';"
            + " echo \"onionctl-exited-$?\"; sleep 60"
        let s = try TmuxSession.start(command, width: 100, height: 30)
        session = s
        var (ok, screen) = try s.waitFor(timeout: 30) { $0.contains("devices.toml:3") }
        XCTAssertTrue(ok, "the file and line are not on the device screen:\n\(screen)")
        XCTAssertFalse(screen.contains("No devices yet"), screen)
        XCTAssertTrue(screen.contains("untouched"), screen)
        try s.sendKeys("a")
        (ok, screen) = try s.waitFor(timeout: 10) { $0.contains("cannot be changed until") }
        XCTAssertTrue(ok, "a pretended to work:\n\(screen)")
        XCTAssertFalse(screen.contains("Add device"), screen)
        XCTAssertEqual(try String(contentsOf: book, encoding: .utf8), corrupt, "the file is kept untouched")

        // Fixed outside the dashboard; then onionctl add, twice: both show up with no key pressed.
        try FileManager.default.removeItem(at: book)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let first = try runBounded(onionctl, ["add", "hall", "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd"],
                                   environment: merged, timeout: 60)
        XCTAssertEqual(first.status, 0, first.stderr)
        (ok, screen) = try s.waitFor(timeout: 20) { $0.contains("hall") && !$0.contains("devices.toml:3") }
        XCTAssertTrue(ok, "the repaired address book was not picked up:\n\(screen)")
        let second = try runBounded(onionctl, ["add", "garage", "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad"],
                                    environment: merged, timeout: 60)
        XCTAssertEqual(second.status, 0, second.stderr)
        (ok, screen) = try s.waitFor(timeout: 20) { $0.contains("garage") }
        XCTAssertTrue(ok, "a device added by onionctl add meanwhile did not appear:\n\(screen)")
        try s.sendKeys("q")
        (ok, screen) = try s.waitFor(timeout: 10) { $0.contains("onionctl-exited-0") }
        XCTAssertTrue(ok, screen)
    }
}
