import XCTest
@testable import OnionctlUI

/// Issue 20 item 2: an address book that cannot be read looked empty ("No devices yet. Press a to
/// add one") and `a` then failed. Now the device screen shows the file, line and reason, says the
/// file is kept untouched, and `a`/`d` say why they cannot work; `r` re-reads the file.
final class AddressBookProblemTests: XCTestCase {
    let problem = DeviceProblem(
        message: "The address book cannot be read: /home/me/.config/onionctl/devices.toml:3: expected a string for onion. The file was not changed; fix it by hand or move it away.",
        advice: "onionctl keeps the file untouched and changes nothing until it is fixed: correct it in an editor (or move it away), then press r.")

    private func brokenState() -> DashboardState {
        DashboardState(snapshot: DashboardSnapshot(addressBookProblem: problem), now: Fixtures.now)
    }

    func testTheWholeReasonIsShownInsteadOfAnEmptyList() {
        let screen = Fixtures.renderer().render(brokenState(), width: 80, height: 24).text
        XCTAssertFalse(screen.contains("No devices yet"), screen)
        let joined = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(joined.contains("/home/me/.config/onionctl/devices.toml:3: expected a string for onion."), screen)
        XCTAssertTrue(joined.contains("keeps the file untouched"), screen)
        XCTAssertTrue(joined.contains("then press r."), "the advice is wrapped, not cut:\n\(screen)")
    }

    func testAddAndRemoveAreRefusedAndRReReadsTheFile() {
        var state = brokenState()
        XCTAssertEqual(Fixtures.press([.char("a")], &state), [])
        XCTAssertNil(state.dialog, "no dialog whose result would be refused")
        XCTAssertEqual(state.flash?.isError, true)
        XCTAssertTrue(state.flash?.text.contains("kept untouched") ?? false, state.flash?.text ?? "")
        XCTAssertEqual(Fixtures.press([.char(":")] + Fixtures.typing("add") + [.enter], &state), [])
        XCTAssertNil(state.dialog)
        XCTAssertEqual(Fixtures.press([.char("r")], &state), [.perform(.reloadAddressBook)])
    }

    func testWrappingKeepsEveryWordAndCutsOnlyOverlongOnes() {
        XCTAssertEqual(wrapText("the quick brown fox", width: 9), ["the quick", "brown fox"])
        XCTAssertEqual(wrapText("a /very/long/path/name b", width: 6), ["a", "/very/", "long/p", "ath/na", "me b"])
        XCTAssertEqual(wrapText("", width: 5), [])
    }
}
