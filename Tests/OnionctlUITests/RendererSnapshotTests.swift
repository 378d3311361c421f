import XCTest
@testable import OnionctlUI

/// Screens rendered into the off-screen grid and compared with Snapshots/*.txt
/// (UPDATE_SNAPSHOTS=1 swift test --filter OnionctlUITests re-records them).
final class RendererSnapshotTests: XCTestCase {
    static let sizes = [(80, 24), (132, 43)]

    /// Named UI states covering every screen and overlay.
    static var scenes: [(String, DashboardState)] {
        [
            ("devices", Fixtures.state()),
            ("thermostat-pending", Fixtures.state { s in
                s.screen = .detail("living-room")
                s.optimistic["living-room"] = PendingChanges(setpoint: 22.0)
                s.inFlight["living-room"] = 1
            }),
            ("pins", Fixtures.state { s in
                s.screen = .detail("garage")
                s.selectedPin = 1
                s.snapshot.devices[1].pending.pins[1] = false
            }),
            ("failed-device", Fixtures.state { s in s.selectedDevice = "attic" }),
            ("tor", Fixtures.state { s in s.screen = .tor }),
            ("log", Fixtures.state { s in s.screen = .log }),
            ("help", Fixtures.state { s in s.showHelp = true }),
            ("add-invalid", Fixtures.state { s in
                s.dialog = .addDevice(AddDeviceForm(name: "hall",
                                                    onion: "m4amfpwlthbwsrj6sgnki7yufdmgle4hq52gunzknsicdo33tegujkyd",
                                                    focus: .onion))
            }),
            ("remove-confirm", Fixtures.state { s in
                s.selectedDevice = "garage"
                s.dialog = .confirmRemove(name: "garage", onion: s.snapshot.devices[1].onion, focus: .cancel)
            }),
            ("filter", Fixtures.state { s in
                s.filter = "ga"
                s.prompt = .filter("ga")
            }),
            ("empty", DashboardState(snapshot: DashboardSnapshot(), now: Fixtures.now)),
            ("proxy", Fixtures.state { s in s.snapshot.proxy = ProxyStatus(listen: "127.0.0.1:9150", openStreams: 2, totalStreams: 17) }),
            ("proxy-failed", Fixtures.state { s in
                s.snapshot.proxy = ProxyStatus(listen: "127.0.0.1:9150", problem: "Address already in use")
            }),
            ("proxy-tor", Fixtures.state { s in
                s.screen = .tor
                s.snapshot.proxy = ProxyStatus(listen: "127.0.0.1:9150", openStreams: 2, totalStreams: 17)
            }),
        ]
    }

    func testUnicodeScreens() {
        for (name, state) in Self.scenes {
            for (w, h) in Self.sizes {
                let grid = Fixtures.renderer().render(state, width: w, height: h)
                XCTAssertEqual(grid.width, w)
                assertSnapshot(grid.text, named: "\(name).\(w)x\(h).utf8.txt")
            }
        }
    }

    func testASCIIFallbackScreens() {
        for (name, state) in Self.scenes where ["devices", "thermostat-pending", "pins", "help", "remove-confirm", "proxy"].contains(name) {
            let grid = Fixtures.renderer(ascii: true).render(state, width: 80, height: 24)
            assertSnapshot(grid.text, named: "\(name).80x24.ascii.txt")
            XCTAssertTrue(grid.text.unicodeScalars.allSatisfy { $0.isASCII }, "\(name) has non-ASCII characters")
        }
    }

    /// The role layer: which role (hence which theme style) each cell gets.
    func testRoleMaps() {
        for name in ["devices", "thermostat-pending", "remove-confirm", "proxy"] {
            let state = Self.scenes.first { $0.0 == name }!.1
            let grid = Fixtures.renderer().render(state, width: 80, height: 24)
            let legend = Role.allCases.map { "\($0.code) \($0.rawValue)" }.joined(separator: "\n")
            assertSnapshot(grid.roleMap + "\n" + legend + "\n", named: "\(name).80x24.roles.txt")
        }
    }

    /// Each theme resolved at 256, 16, 8 colours and monochrome.
    func testThemePalettes() throws {
        for name in Theme.builtinNames {
            let theme = try Theme.load(name, environment: [:])
            var text = ""
            for level in ColorLevel.allCases.reversed() {
                text += "[\(level)]\n" + Palette(theme: theme, level: level).listing + "\n"
            }
            assertSnapshot(text, named: "palette.\(name).txt")
        }
    }

    func testTooSmallTerminalExplains() {
        let text = Fixtures.renderer().render(Fixtures.state(), width: 60, height: 20).text
        XCTAssertTrue(text.contains("Terminal too small: 60×20"))
        XCTAssertTrue(text.contains("at least 80x24"))
    }

    func testRenderingIsDeterministicAndFitsAnySize() {
        for (_, state) in Self.scenes {
            for (w, h) in [(80, 24), (81, 25), (100, 30), (132, 43), (200, 60), (20, 5), (0, 0)] {
                let a = Fixtures.renderer().render(state, width: w, height: h)
                XCTAssertEqual(a, Fixtures.renderer().render(state, width: w, height: h))
                XCTAssertEqual(a.cells.count, w * h)
            }
        }
    }

    /// Text from a device or relay (error bodies, relay nicknames, log lines) is drawn escaped:
    /// no ESC or C1 control reaches the grid, so none reaches the terminal.
    func testHostileTextIsRenderedEscaped() {
        let hostile = "\u{1b}]0;pwned\u{07}boom\u{1b}[2J\u{9b}31m"
        let state = Fixtures.state { s in
            s.selectedDevice = "attic"
            s.snapshot.devices[3].problem = DeviceProblem(message: "attic refused: \(hostile)", advice: "retry \u{1b}[5m")
            s.snapshot.devices[3].connection.detail = "waiting \u{1b}[31m"
            s.snapshot.log.append(LogLine(time: Fixtures.now, level: .error, message: "attic: \(hostile)"))
            s.snapshot.tor.guards[0].nickname = "evil\u{1b}[2J"
        }
        for screen in [DashboardScreen.devices, .log, .tor] {
            var withScreen = state
            withScreen.screen = screen
            let grid = Fixtures.renderer().render(withScreen, width: 132, height: 43)
            let text = grid.text
            XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x1b || (0x80...0x9f).contains($0.value) || $0.value == 7 },
                           "\(screen): a control character reached the grid")
            XCTAssertTrue(grid.cells.allSatisfy { $0.character.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) } })
            switch screen {
            case .devices: XCTAssertTrue(text.contains(#"attic refused: \x1b]0;pwned\x07boom\x1b[2J\x9b31m"#), text)
            case .log: XCTAssertTrue(text.contains(#"attic: \x1b]0;pwned\x07boom\x1b[2J\x9b31m"#), text)
            default: XCTAssertTrue(text.contains(#"evil\x1b[2J"#), text)
            }
        }
        var grid = ScreenGrid(width: 20, height: 1)
        XCTAssertEqual(grid.put("a\u{1b}[2Jb", x: 0, y: 0, role: .text), 9)
        XCTAssertEqual(grid.text, "a\\x1b[2Jb\n")
        XCTAssertEqual(grid.put("21.5 °C é", x: 0, y: 0, role: .text), 9, "multi-byte text is kept")
    }

    func testWideCharactersTakeTwoCells() {
        var grid = ScreenGrid(width: 6, height: 1)
        XCTAssertEqual(grid.put("温度x", x: 0, y: 0, role: .text), 5)
        XCTAssertEqual(grid.text, "温度x\n")
        XCTAssertTrue(grid[1, 0].isContinuation)
    }
}
