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

    /// As C tor does (hs_client.c, `can_client_refetch_desc`): a cached descriptor whose
    /// `pow-params` expiration time has passed is not used for a new connection but fetched again;
    /// one without `pow-params`, or with parameters still valid, is kept.
    func testExpiredParametersMakeTheCachedDescriptorStale() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        let period = TimePeriod(number: 20_833, lengthMinutes: 1440)
        let valid = try descriptor(effort: 5, expires: "2030-01-01T00:00:00")
        let expired = try descriptor(effort: 5, expires: "2020-01-01T00:00:00")
        let none = try HSDescriptorContent(plaintext: Array("create2-formats 2\n".utf8), signingKey: [UInt8](repeating: 0, count: 32),
                                           now: now)
        XCTAssertFalse(IntroductionProofOfWork.hasExpiredParameters(valid, now: now))
        XCTAssertTrue(IntroductionProofOfWork.hasExpiredParameters(expired, now: now))
        XCTAssertFalse(IntroductionProofOfWork.hasExpiredParameters(none, now: now))
        let later = now.addingTimeInterval(3600)
        func cached(_ content: HSDescriptorContent) -> OnionServiceConnector.CachedDescriptor {
            OnionServiceConnector.CachedDescriptor(content: content, period: period, expires: later)
        }
        XCTAssertTrue(cached(valid).isUsable(in: period, now: now))
        XCTAssertTrue(cached(none).isUsable(in: period, now: now))
        XCTAssertFalse(cached(expired).isUsable(in: period, now: now), "a stale seed must trigger a refetch")
        // The other reasons still hold.
        XCTAssertFalse(cached(valid).isUsable(in: TimePeriod(number: 20_834, lengthMinutes: 1440), now: now))
        XCTAssertFalse(cached(valid).isUsable(in: period, now: later.addingTimeInterval(1)))
        // Once fetched again, the parameters are used whatever their expiration says (C tor solves
        // with the descriptor it has; the service accepts its current and previous seed).
        XCTAssertEqual(IntroductionProofOfWork.parameters(in: expired)?.suggestedEffort, 5)
        XCTAssertNil(IntroductionProofOfWork.parameters(in: none))
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
