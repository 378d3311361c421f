import XCTest
@testable import OnionctlUI

/// Issue 17: a proxy started with the dashboard (`onionctl --proxy 127.0.0.1:9150`) is shown with
/// where it listens and the streams it carries, or why it is not running.
final class ProxyIndicatorTests: XCTestCase {
    private func screen(_ proxy: ProxyStatus?, screen: DashboardScreen = .devices, ascii: Bool = false,
                        width: Int = 80, height: Int = 24) -> ScreenGrid {
        let state = Fixtures.state { s in
            s.snapshot.proxy = proxy
            s.screen = screen
        }
        return Fixtures.renderer(ascii: ascii).render(state, width: width, height: height)
    }

    private func lines(_ grid: ScreenGrid) -> [String] { grid.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    func testRunningProxyShowsAddressAndStreamCountsAt80x24() {
        let grid = screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 2, totalStreams: 17))
        let rows = lines(grid)
        let row = rows.firstIndex { $0.contains("SOCKS proxy on 127.0.0.1:9150 · 2 streams open · 17 in all") }
        XCTAssertNotNil(row, grid.text)
        // Every device is still listed, and the summary panel starts right below the proxy line.
        for name in ["living-room", "garage", "greenhouse", "attic"] {
            XCTAssertTrue(rows.contains { $0.contains(name) }, "\(name) missing\n\(grid.text)")
        }
        if let row { XCTAssertTrue(rows[row + 1].hasPrefix("┌─ living-room"), grid.text) }
        XCTAssertEqual(rows.count, 24)
    }

    func testCountsFollowTheSnapshot() {
        XCTAssertTrue(screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 1, totalStreams: 1)).text
            .contains("1 stream open · 1 in all"))
        XCTAssertTrue(screen(ProxyStatus(listen: "127.0.0.1:9150")).text.contains("0 streams open · 0 in all"))
    }

    func testOpenStreamsUseTheOKRoleAndAnIdleProxyPlainText() {
        let busy = screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 3, totalStreams: 3))
        let idle = screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 0, totalStreams: 3))
        func role(_ grid: ScreenGrid) -> Character? {
            let rows = lines(grid), roles = grid.roleMap.split(separator: "\n").map(String.init)
            guard let y = rows.firstIndex(where: { $0.contains("SOCKS proxy") }) else { return nil }
            return Array(roles[y])[2]
        }
        XCTAssertEqual(role(busy), Role.ok.code)
        XCTAssertEqual(role(idle), Role.text.code)
    }

    func testAProxyThatCouldNotStartSaysWhyInTheErrorRole() {
        let grid = screen(ProxyStatus(listen: "127.0.0.1:9150", problem: "Address already in use"))
        XCTAssertTrue(grid.text.contains("SOCKS proxy on 127.0.0.1:9150 not running: Address already in use"), grid.text)
        let y = lines(grid).firstIndex { $0.contains("not running") }!
        XCTAssertEqual(Array(grid.roleMap.split(separator: "\n")[y])[2], Role.error.code)
    }

    func testTorScreenListsTheProxy() {
        let grid = screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 2, totalStreams: 5), screen: .tor)
        let row = lines(grid).first { $0.contains("Proxy") }
        XCTAssertEqual(row?.trimmingCharacters(in: .whitespaces), "Proxy       on 127.0.0.1:9150 · 2 streams open · 5 in all", grid.text)
    }

    func testASCIIAndWideScreens() {
        let ascii = screen(ProxyStatus(listen: "127.0.0.1:9150", openStreams: 2, totalStreams: 17), ascii: true)
        XCTAssertTrue(ascii.text.contains("SOCKS proxy on 127.0.0.1:9150 | 2 streams open | 17 in all"), ascii.text)
        XCTAssertTrue(ascii.text.unicodeScalars.allSatisfy(\.isASCII))
        XCTAssertTrue(screen(ProxyStatus(listen: "[::1]:9150", openStreams: 2, totalStreams: 17), width: 132, height: 43).text
            .contains("SOCKS proxy on [::1]:9150 · 2 streams open · 17 in all"))
    }

    func testNoProxyNoLine() {
        XCTAssertFalse(screen(nil).text.contains("SOCKS"))
        XCTAssertFalse(screen(nil, screen: .tor).text.contains("Proxy"))
    }
}
