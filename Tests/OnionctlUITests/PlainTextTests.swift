import Foundation
import XCTest
@testable import OnionctlUI

/// The FoundationEssentials-only replacements for `String(format:)`, `padding(toLength:)`,
/// `trimmingCharacters(in:)` and `DateFormatter`, checked against Foundation itself.
final class PlainTextTests: XCTestCase {
    func testFixedMatchesPrintf() {
        var values: [Double] = [0, -0.0, 0.04, -0.04, 0.05, 0.15, 0.25, 1.005, 20.45, 21, 21.5, -3.75, 99.95, 1234.5678, 1e-9, 123456789.987]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Double(Int.random(in: -100_000...100_000, using: &generator)) / 1000) }
        for value in values {
            for places in 0...3 {
                XCTAssertEqual(value.fixed(places), String(format: "%.\(places)f", value), "\(value) with \(places) places")
            }
        }
        XCTAssertEqual(Double.nan.fixed(1), "nan")
        XCTAssertEqual((-Double.infinity).fixed(1), "-inf")
    }

    func testPaddingAndHexAsFoundation() {
        for text in ["", "a", "living-room", "exactly-13-ch", "a much longer name than that"] {
            XCTAssertEqual(text.paddedOrCut(to: 13), text.padding(toLength: 13, withPad: " ", startingAt: 0))
        }
        XCTAssertEqual(2.5.fixed(2).leftPadded(to: 6), String(format: "%6.2f", 2.5))
        for id: UInt32 in [0, 1, 0x8000_0001, 0xFFFF_FFFF] { XCTAssertEqual(id.hex(width: 8), String(format: "%08X", id)) }
        XCTAssertEqual(UInt8(0x9F).hex(width: 4, uppercase: false), String(format: "%04x", 0x9F))
    }

    func testTrimmingAsFoundation() {
        for text in ["", "  ", " a b ", "\tx\t", "\n y \n", "no"] {
            XCTAssertEqual(text.trimmingBlanks(), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
            XCTAssertEqual(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespacesAndNewlines), text.debugDescription)
        }
    }

    func testClockTimeInAZoneAndLocally() {
        let date = Date(timeIntervalSince1970: 1_796_335_505)  // 2026-12-03 22:05:05 UTC
        XCTAssertEqual(ClockZone.utc.clockTime(date), "22:05:05")
        XCTAssertEqual(ClockZone(secondsFromGMT: 3600).clockTime(date), "23:05:05")
        XCTAssertEqual(ClockZone(secondsFromGMT: -8 * 3600).clockTime(Date(timeIntervalSince1970: 1_796_335_505 - 86_400)), "14:05:05")
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = .current
        XCTAssertEqual(ClockZone.local.clockTime(date), formatter.string(from: date), "libc's local time and Foundation's agree")
    }
}
