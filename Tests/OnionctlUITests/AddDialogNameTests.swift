import XCTest
@testable import OnionctlUI

/// Issue 20 item 8: the add dialog accepted `my.porch` ("letters, digits, - _ and ."), closed, and the
/// address book then refused it, losing what was typed. Names are now checked as typed, with the
/// address book's own rule, and a refused name keeps the dialog open.
final class AddDialogNameTests: XCTestCase {
    let valid = "m4amfpwlthbwsrj6sgnkl7yufdmgle4hq52gunzknsicdo33tegujkyd.onion"

    func testTheNameIsCheckedAsTypedWithTheAddressBooksRule() {
        XCTAssertEqual(AddDeviceForm.problem(withName: "my.porch"), "“.” is not allowed: use letters, digits, - and _ only.")
        XCTAssertEqual(AddDeviceForm.problem(withName: "-porch"), "Start with a letter or digit.")
        XCTAssertEqual(AddDeviceForm.problem(withName: String(repeating: "a", count: 65)), "At most 64 characters.")
        XCTAssertNil(AddDeviceForm.problem(withName: "front_door-2"))
        XCTAssertNil(AddDeviceForm.problem(withName: ""))

        var state = Fixtures.state()
        _ = Fixtures.press([.char("a")] + Fixtures.typing("my.porch"), &state)
        let screen = Fixtures.renderer().render(state, width: 80, height: 24).text
        XCTAssertTrue(screen.contains("“.” is not allowed"), "not shown while typing:\n\(screen)")
    }

    func testARefusedNameKeepsTheDialogAndWhatWasTyped() {
        var state = Fixtures.state()
        var keys: [Key] = [.char("a")] + Fixtures.typing("my.porch") + [.tab] + Fixtures.typing(valid)
        keys += [.tab, .tab, .enter]  // kind, then Add
        let effects = Fixtures.press(keys, &state)
        XCTAssertEqual(effects, [], "nothing is sent that the address book would refuse")
        guard case let .addDevice(form)? = state.dialog else { return XCTFail("the dialog closed") }
        XCTAssertEqual(form.name, "my.porch")
        XCTAssertEqual(form.onion, valid)
        XCTAssertEqual(form.focus, .name)
    }

    func testARefusalByTheAddressBookBringsTheDialogBackWithWhatWasTyped() {
        var state = Fixtures.state()
        let action = DashboardAction.addDevice(name: "hall", onion: valid, kind: .pins)
        _ = DashboardReducer().reduce(&state, .actionFinished(action, message: nil,
                                                             failure: "Could not add hall: the address is already in the address book as 'attic'"))
        guard case let .addDevice(form)? = state.dialog else { return XCTFail("the typed values were lost") }
        XCTAssertEqual(form.name, "hall")
        XCTAssertEqual(form.onion, valid)
        XCTAssertEqual(form.kind, .pins)
        XCTAssertTrue(form.error?.contains("already in the address book") ?? false)
    }
}
