import XCTest
@testable import OnionctlUI

/// The pure reducer: (state, key) → (state', backend actions).
final class ReducerTests: XCTestCase {
    let valid = "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd.onion"
    /// `valid` with one character mistyped (l → i): the checksum no longer matches.
    let mistyped = "m4amfpwlthbwsrj6sgnki7yufdmgle4hq52gunzknsicdo33tegujkyd.onion"

    func testPlusTwiceSendsTwoAdjustmentsAndShowsThePendingSetpoint() {
        var state = Fixtures.state { $0.screen = .detail("living-room") }
        let effects = Fixtures.press([.char("+"), .char("+")], &state)
        XCTAssertEqual(effects, [.perform(.adjustSetpoint(device: "living-room", steps: 1)),
                                 .perform(.adjustSetpoint(device: "living-room", steps: 1))])
        let device = state.snapshot.device(named: "living-room")!
        XCTAssertEqual(device.thermostat?.step, 0.5)
        XCTAssertEqual(state.pending(for: device).setpoint, 22.0)  // 21.0 + 2 × 0.5
        let screen = Fixtures.renderer().render(state, width: 80, height: 24).text
        XCTAssertTrue(screen.contains("21.0 °C → 22.0 °C pending"), screen)

        // Backend accepted both; its snapshot now carries the pending value; then the device confirms.
        var snapshot = state.snapshot
        snapshot.devices[0].pending.setpoint = 22.0
        _ = DashboardReducer().reduce(&state, .snapshot(snapshot))
        for _ in 0..<2 {
            _ = DashboardReducer().reduce(&state, .actionFinished(.adjustSetpoint(device: "living-room", steps: 1),
                                                                  message: nil, failure: nil))
        }
        XCTAssertEqual(state.pending(for: state.snapshot.devices[0]).setpoint, 22.0)
        snapshot.devices[0].pending = PendingChanges()
        snapshot.devices[0].thermostat?.setpoint = 22.0
        _ = DashboardReducer().reduce(&state, .snapshot(snapshot))
        XCTAssertNil(state.pending(for: state.snapshot.devices[0]).setpoint)
        XCTAssertFalse(Fixtures.renderer().render(state, width: 80, height: 24).text.contains("pending"))
    }

    func testFailedChangeIsExplainedAndNoLongerPending() {
        var state = Fixtures.state()
        _ = Fixtures.press([.char("-")], &state)
        XCTAssertEqual(state.pending(for: state.snapshot.devices[0]).setpoint, 20.5)
        _ = DashboardReducer().reduce(&state, .actionFinished(
            .adjustSetpoint(device: "living-room", steps: -1), message: nil,
            failure: "living-room did not answer within 60 s; it may be offline. Press r to retry."))
        XCTAssertNil(state.pending(for: state.snapshot.devices[0]).setpoint)
        XCTAssertEqual(state.flash?.isError, true)
        XCTAssertTrue(Fixtures.renderer().render(state, width: 80, height: 24).text.contains("Press r to retry"))
    }

    func testSetpointStopsAtTheLimit() {
        var state = Fixtures.state { $0.snapshot.devices[0].thermostat?.setpoint = 30 }
        XCTAssertEqual(Fixtures.press([.char("+")], &state), [])
        XCTAssertTrue(state.flash?.text.contains("maximum") ?? false)
    }

    func testModeCyclesAndPinToggles() {
        var state = Fixtures.state { $0.screen = .detail("living-room") }
        XCTAssertEqual(Fixtures.press([.char("m")], &state), [.perform(.cycleMode(device: "living-room"))])
        XCTAssertEqual(state.pending(for: state.snapshot.devices[0]).mode, .cool)

        state = Fixtures.state { $0.screen = .detail("garage") }
        XCTAssertEqual(Fixtures.press([.char("j"), .char(" ")], &state), [.perform(.togglePin(device: "garage", index: 1))])
        XCTAssertEqual(state.pending(for: state.snapshot.devices[1]).pins, [1: false])
        // The scheduled link (index 2) is not a switch: explained, nothing sent.
        XCTAssertEqual(Fixtures.press([.char("j"), .char(" ")], &state), [])
        XCTAssertEqual(state.flash?.isError, true)
    }

    func testAddDialogValidatesTheOnionAddressLive() {
        var state = Fixtures.state()
        _ = Fixtures.press([.char("a")] + Fixtures.typing("hall") + [.tab], &state)
        guard case let .addDevice(form)? = state.dialog else { return XCTFail("no add dialog") }
        XCTAssertEqual(form.focus, .onion)
        XCTAssertEqual(form.onionCheck, .empty)

        _ = Fixtures.press(Fixtures.typing(String(mistyped.prefix(10))), &state)
        guard case let .addDevice(partial)? = state.dialog else { return XCTFail() }
        XCTAssertEqual(partial.onionCheck, .incomplete(10))

        _ = Fixtures.press(Fixtures.typing(String(mistyped.dropFirst(10))), &state)
        guard case let .addDevice(typo)? = state.dialog else { return XCTFail() }
        guard case let .invalid(why) = typo.onionCheck else { return XCTFail("\(typo.onionCheck)") }
        XCTAssertTrue(why.contains("checksum"), why)
        XCTAssertTrue(Fixtures.renderer().render(state, width: 80, height: 24).text.contains("checksum does not match"))

        // Add is refused while invalid, and the focus goes back to the field.
        _ = Fixtures.press([.tab, .tab], &state)
        XCTAssertEqual(Fixtures.press([.enter], &state), [])
        guard case let .addDevice(refused)? = state.dialog else { return XCTFail() }
        XCTAssertEqual(refused.focus, .onion)
        XCTAssertNotNil(refused.error)

        // Fix the typo: 62 backspaces, then the right address.
        _ = Fixtures.press(Array(repeating: .backspace, count: 62) + Fixtures.typing(valid), &state)
        guard case let .addDevice(fixed)? = state.dialog else { return XCTFail() }
        XCTAssertEqual(fixed.onionCheck, .valid(valid))
        XCTAssertEqual(OnionCheck(valid.uppercased()), .valid(valid))
        XCTAssertEqual(Fixtures.press([.tab, .right, .enter], &state), [])  // to Kind, pick pins, Enter → on Add
        XCTAssertEqual(Fixtures.press([.enter], &state), [.perform(.addDevice(name: "hall", onion: valid, kind: .pins))])
        XCTAssertNil(state.dialog)
    }

    func testDeleteStartsOnCancelAndNamesTheTarget() {
        var state = Fixtures.state { $0.selectedDevice = "garage" }
        XCTAssertEqual(Fixtures.press([.char("d")], &state), [])
        guard case let .confirmRemove(name, onion, focus)? = state.dialog else { return XCTFail("no dialog") }
        XCTAssertEqual(name, "garage")
        XCTAssertTrue(onion.hasPrefix("j4zoalaj"))
        XCTAssertEqual(focus, .cancel)
        let screen = Fixtures.renderer().render(state, width: 80, height: 24).text
        XCTAssertTrue(screen.contains("Remove “garage” from the address book?"))

        // Enter on the default (Cancel) removes nothing.
        XCTAssertEqual(Fixtures.press([.enter], &state), [])
        XCTAssertNil(state.dialog)
        // Esc, n and Backspace cancel too; y confirms; Tab then Enter confirms.
        for key in [Key.escape, .char("n"), .backspace] {
            _ = Fixtures.press([.char("d")], &state)
            XCTAssertEqual(Fixtures.press([key], &state), [])
            XCTAssertNil(state.dialog)
        }
        _ = Fixtures.press([.char("d")], &state)
        XCTAssertEqual(Fixtures.press([.char("y")], &state), [.perform(.removeDevice(name: "garage"))])
        _ = Fixtures.press([.char("d"), .tab], &state)
        XCTAssertEqual(Fixtures.press([.enter], &state), [.perform(.removeDevice(name: "garage"))])
    }

    func testSlashFiltersTheList() {
        var state = Fixtures.state()
        _ = Fixtures.press([.char("/")] + Fixtures.typing("GREEN"), &state)
        XCTAssertEqual(state.visibleDevices.map(\.name), ["greenhouse"])
        XCTAssertEqual(state.selectedDevice, "greenhouse")
        XCTAssertEqual(Fixtures.press([.enter], &state), [])
        XCTAssertNil(state.prompt)
        XCTAssertEqual(state.filter, "GREEN")
        // Enter now opens the only visible device.
        _ = Fixtures.press([.enter], &state)
        XCTAssertEqual(state.screen, .detail("greenhouse"))
        _ = Fixtures.press([.escape], &state)
        XCTAssertEqual(state.screen, .devices)
        // Esc in the prompt clears the filter.
        _ = Fixtures.press([.char("/"), .escape], &state)
        XCTAssertEqual(state.visibleDevices.count, 4)
        // Filter by kind.
        _ = Fixtures.press([.char("/")] + Fixtures.typing("pins") + [.enter], &state)
        XCTAssertEqual(state.visibleDevices.map(\.name), ["garage"])
    }

    func testNavigationAndQuit() {
        var state = Fixtures.state()
        _ = Fixtures.press([.down, .char("j"), .char("j"), .char("j")], &state)
        XCTAssertEqual(state.selectedDevice, "attic")
        _ = Fixtures.press([.up, .char("k")], &state)
        XCTAssertEqual(state.selectedDevice, "garage")
        _ = Fixtures.press([.tab], &state)
        XCTAssertEqual(state.screen, .tor)
        _ = Fixtures.press([.char("3")], &state)
        XCTAssertEqual(state.screen, .log)
        _ = Fixtures.press([.escape], &state)
        XCTAssertEqual(state.screen, .devices)
        XCTAssertEqual(Fixtures.press([.char("q")], &state), [.quit])
        XCTAssertTrue(state.quitting)
        // q quits at once from a dialog too, but is text inside a text field.
        state = Fixtures.state { $0.dialog = .confirmRemove(name: "garage", onion: "x", focus: .cancel) }
        XCTAssertEqual(Fixtures.press([.char("q")], &state), [.quit])
        state = Fixtures.state()
        XCTAssertEqual(Fixtures.press([.char("a"), .char("q")], &state), [])
        XCTAssertEqual(Fixtures.press([.ctrl("c")], &state), [.quit])
    }

    func testCommandLine() {
        var state = Fixtures.state()
        XCTAssertEqual(Fixtures.press([.char(":")] + Fixtures.typing("get garage") + [.enter], &state),
                       [.perform(.runCommand("get garage"))])
        _ = DashboardReducer().reduce(&state, .actionFinished(.runCommand("get garage"), message: "garage: 3 links", failure: nil))
        XCTAssertEqual(state.flash?.text, "garage: 3 links")
        XCTAssertEqual(Fixtures.press([.char(":"), .char("q"), .enter], &state), [.quit])
    }

    func testHelpOverlayListsEveryBinding() {
        var state = Fixtures.state()
        _ = Fixtures.press([.char("?")], &state)
        XCTAssertTrue(state.showHelp)
        for (w, h) in [(80, 24), (132, 43)] {
            let screen = Fixtures.renderer().render(state, width: w, height: h).text
            for binding in KeyMap.standard.bindings {
                XCTAssertTrue(screen.contains(binding.label(ascii: false)), "\(w)x\(h): keys of \(binding.command)")
                XCTAssertTrue(screen.contains(binding.description), "\(w)x\(h): \(binding.description)")
            }
        }
        _ = Fixtures.press([.escape], &state)
        XCTAssertFalse(state.showHelp)
    }

    func testEveryCommandIsBoundAndDispatched() {
        let bound = Set(KeyMap.standard.bindings.map(\.command))
        XCTAssertEqual(bound, Set(Command.allCases))
    }

    func testKeyDecoding() {
        XCTAssertEqual(CursesTerminal.key(forCharacter: 13), .enter)
        XCTAssertEqual(CursesTerminal.key(forCharacter: 127), .backspace)
        XCTAssertEqual(CursesTerminal.key(forCharacter: 12), .ctrl("l"))
        XCTAssertEqual(CursesTerminal.key(forCharacter: 233), .char("é"))
    }

    func testFakeBackendMarksPendingThenConfirms() async throws {
        let backend = FakeDashboardBackend()
        try await backend.adjustSetpoint(device: "living-room", bySteps: 1)
        try await backend.adjustSetpoint(device: "living-room", bySteps: 1)
        XCTAssertEqual(backend.current.devices[0].pending.setpoint, 22.0)
        backend.confirmPending()
        XCTAssertEqual(backend.current.devices[0].thermostat?.setpoint, 22.0)
        XCTAssertTrue(backend.current.devices[0].pending.isEmpty)
        do {
            try await backend.togglePin(device: "garage", index: 2)
            XCTFail("a scheduled link toggled")
        } catch {}
        XCTAssertEqual(backend.actions.count, 3)
    }
}
