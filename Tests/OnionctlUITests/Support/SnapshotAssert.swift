import Foundation
import XCTest

/// Compares `actual` with `Snapshots/<name>` next to this test target. A missing file, or
/// `UPDATE_SNAPSHOTS=1`, writes the file and fails the test, so a fresh recording never passes
/// silently.
func assertSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let dir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent(name)
    let update = ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false
    let expected = try? String(contentsOf: url, encoding: .utf8)
    if update || expected == nil {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        XCTFail("Recorded snapshot \(name); run again without UPDATE_SNAPSHOTS to compare.", file: file, line: line)
        return
    }
    guard let expected, expected != actual else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    for i in 0..<max(a.count, e.count) where (i < a.count ? a[i] : nil) != (i < e.count ? e[i] : nil) {
        diff.append("line \(i + 1):\n  expected: \(i < e.count ? String(e[i]) : "<none>")\n  actual:   \(i < a.count ? String(a[i]) : "<none>")")
        if diff.count >= 8 { break }
    }
    XCTFail("Snapshot \(name) differs (UPDATE_SNAPSHOTS=1 to re-record):\n" + diff.joined(separator: "\n"),
            file: file, line: line)
}
