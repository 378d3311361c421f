import Foundation
import XCTest
@testable import OnionService
import TorPoW

/// The client side of prop 327 for one INTRODUCE1: which `pow-params` count, which effort, and
/// that the extension it produces carries a solution the service's check accepts.
final class IntroductionProofOfWorkTests: XCTestCase {
    let seed = [UInt8](repeating: 0x5a, count: 32)
    let blinded = [UInt8](repeating: 0x11, count: 32)

    private func descriptor(effort: UInt32, expires: String) throws -> HSDescriptorContent {
        let seedB64 = Data(seed).base64EncodedString()
        let text = "create2-formats 2\npow-params v1 \(seedB64) \(effort) \(expires)\n"
        return try HSDescriptorContent(plaintext: Array(text.utf8), signingKey: [UInt8](repeating: 0, count: 32),
                                       now: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func testExpiredParametersAreIgnored() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        XCTAssertNotNil(IntroductionProofOfWork.parameters(in: try descriptor(effort: 5, expires: "2030-01-01T00:00:00"), now: now))
        XCTAssertNil(IntroductionProofOfWork.parameters(in: try descriptor(effort: 5, expires: "2020-01-01T00:00:00"), now: now))
    }

    func testNoProofOfWorkAtEffortZeroOrWithoutBudget() async throws {
        let d = try descriptor(effort: 0, expires: "2099-01-01T00:00:00")
        let none = try await IntroductionProofOfWork(budget: .seconds(30))
            .extensionForIntroduction(descriptor: d, blindedPublicKey: blinded, unanswered: 0, report: { _, _ in })
        XCTAssertNil(none)
        let disabled = try await IntroductionProofOfWork(budget: .zero)
            .extensionForIntroduction(descriptor: d, blindedPublicKey: blinded, unanswered: 3, report: { _, _ in })
        XCTAssertNil(disabled)
    }

    /// After one unanswered introduction the effort rises from 0 to 8 (C tor's minimum retry
    /// effort); the extension verifies against the service's seed and says so in the progress.
    func testRetryRaisesEffortAndTheExtensionVerifies() async throws {
        let d = try descriptor(effort: 0, expires: "2099-01-01T00:00:00")
        let reports = ReportLog()
        let ext = try await IntroductionProofOfWork(budget: .seconds(120))
            .extensionForIntroduction(descriptor: d, blindedPublicKey: blinded, unanswered: 1,
                                      report: { reports.append("\($0): \($1)") })
        let pow = try XCTUnwrap(ext)
        XCTAssertEqual(pow.type, 2)
        let solution = try OnionServicePoW.Solution(extensionBody: pow.body)
        XCTAssertEqual(solution.effort, 8)
        XCTAssertNoThrow(try OnionServicePoW.verify(solution, blindedId: blinded, seed: seed))
        XCTAssertTrue(reports.all.contains("introduction: solving a proof of work, effort 8…"), "\(reports.all)")
    }
}

private final class ReportLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
