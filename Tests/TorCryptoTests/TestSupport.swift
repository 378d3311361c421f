import XCTest

/// Parses a hex literal, ignoring whitespace (test helper; crashes on bad input by design).
func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
    precondition(digits.count % 2 == 0, "odd hex length")
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        out.append(UInt8(String(digits[i]) + String(digits[i + 1]), radix: 16)!)
        i += 2
    }
    return out
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func toHex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

/// Asserts two byte arrays are equal, printing hex on failure.
func XCTAssertBytes(_ got: [UInt8], _ want: [UInt8], _ message: String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(toHex(got), toHex(want), message, file: file, line: line)
}
