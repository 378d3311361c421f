import XCTest
@testable import OnionctlCLI

/// The dashboard's retry after a failed read is jittered (issue 15): devices that failed together
/// (a relay fault) are not all read again in the same second, and none waits long.
final class RetryJitterTests: XCTestCase {
    /// A generator with a fixed sequence (xorshift64*), so the draws are the same on every run.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    func testRetryDelaysStayWithin15And25SecondsAndSpreadOut() {
        var generator = SeededGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let delays = (0..<1_000).map { _ in LiveDashboardBackend.retryDelay(using: &generator) }
        XCTAssertTrue(delays.allSatisfy { (15.0...25.0).contains($0) }, "every delay is 20 s ± 25 %")
        // Twenty devices that failed at once: their retries spread over most of the 10-s range.
        let burst = delays.prefix(20)
        XCTAssertGreaterThan(burst.max()! - burst.min()!, 5, "retries of devices that failed together are spread out")
        XCTAssertGreaterThan(Set(burst.map { Int($0) }).count, 4, "they do not fall into the same few seconds")
        let mean = delays.reduce(0, +) / Double(delays.count)
        XCTAssertEqual(mean, 20, accuracy: 0.5)
    }
}
