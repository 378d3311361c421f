import CFuzzer
import Foundation
// Shared helpers for the libFuzzer targets. Each target defines
// `@_cdecl("LLVMFuzzerTestOneInput")`; libFuzzer (linked by `-sanitize=fuzzer`) provides `main`.
// A thrown error is a correct rejection; a trap (overflow, out-of-range index, force unwrap,
// precondition) or a hang is a bug.

/// The fuzzer's input as an array.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Splits `bytes` into pieces of `chunk` bytes (the last may be shorter), to feed incremental
/// parsers the way the network would.
public func chunks(_ bytes: [UInt8], of chunk: Int) -> [[UInt8]] {
    let size = max(1, chunk)
    return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

/// Parses lower- or upper-case hex with optional whitespace; traps on bad input (constants only).
public func fixedHex(_ text: String) -> [UInt8] {
    let digits = Array(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { UInt8($0.value) })
    precondition(digits.count % 2 == 0, "odd hex constant")
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: preconditionFailure("bad hex constant")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
}

/// A property the parser must keep (e.g. decode(encode(x)) == x); a violation is a crash.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz property violated: \(message())", file: file, line: line) }
}

/// Runs libFuzzer over `testOneInput` with the process's arguments. SwiftPM links an executable
/// target with `main` aliased to the module's entry point (`--defsym main=<module>_main` on
/// Linux), which hides libFuzzer's own `main`; each target's `@main` therefore calls this.
public func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    exit(status)
}

