import Foundation
import XCTest
@testable import TorProto

/// Parses a hex literal as the vector sources write it (any case, whitespace allowed).
/// Independent of `bytesFromHex` so the vectors do not depend on the code under test.
func hex(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    let digits = Array(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
    precondition(digits.count % 2 == 0, "odd-length hex literal")
    var out = [UInt8]()
    out.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        let pair = String(digits[index]) + String(digits[index + 1])
        guard let byte = UInt8(pair, radix: 16) else { preconditionFailure("bad hex \(pair)") }
        out.append(byte)
        index += 2
    }
    return out
}

/// Pads a fixed-cell body to 509 bytes with zeros, as arti's `fbody` does.
func padded(_ body: [UInt8], to length: Int = Cell.payloadLength, with byte: UInt8 = 0) -> [UInt8] {
    body + [UInt8](repeating: byte, count: max(0, length - body.count))
}

func date(_ rfc3339: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let value = formatter.date(from: rfc3339) else { preconditionFailure("bad date \(rfc3339)") }
    return value
}

/// Asserts that `body` throws a `ProtoError` (any case) and returns it.
@discardableResult
func assertProtoError<T>(_ body: @autoclosure () throws -> T, _ message: String = "",
                         file: StaticString = #filePath, line: UInt = #line) -> ProtoError? {
    do {
        _ = try body()
        XCTFail("expected a ProtoError, got a value. \(message)", file: file, line: line)
        return nil
    } catch let error as ProtoError {
        return error
    } catch {
        XCTFail("expected a ProtoError, got \(error). \(message)", file: file, line: line)
        return nil
    }
}

func isHandshakeFailed(_ error: ProtoError?) -> Bool {
    if case .handshakeFailed = error { return true }
    return false
}

func isBadCertificate(_ error: ProtoError?) -> Bool {
    if case .badCertificate = error { return true }
    return false
}

/// Deterministic PRNG (SplitMix64) so randomized tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}
