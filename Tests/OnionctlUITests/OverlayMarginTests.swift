import XCTest
@testable import OnionctlUI

/// Issue 20 item 12: the help overlay's sides ran alongside the summary panel's (`┌│ … │┐`).
final class OverlayMarginTests: XCTestCase {
    func testOverlaySidesNeverTouchAPanelBelow() {
        for (width, height) in [(80, 24), (132, 43), (100, 30)] {
            var state = Fixtures.state()
            state.showHelp = true
            let screen = Fixtures.renderer().render(state, width: width, height: height).text
            for pair in ["┌│", "││", "│└", "│┐", "┘│", "│┘"] {
                XCTAssertFalse(screen.contains(pair), "\(width)x\(height): \(pair)\n\(screen)")
            }
        }
    }
}
