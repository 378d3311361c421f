import Foundation
import XCTest
@testable import OnionService
import TorCircuits

/// A rendezvous circuit's build shared by concurrent requests stops (e.g. a proof of work being
/// solved) once every request waiting on it has been cancelled, and not before.
final class SharedBuildTests: XCTestCase {
    struct NeverBuilt: Error {}

    /// A build that only ends when cancelled (as a long proof-of-work solve would).
    private func longBuild() -> SharedBuild {
        SharedBuild(id: UUID(), task: Task<Circuit, any Error> {
            try await Task.sleep(for: .seconds(600))
            throw NeverBuilt()
        })
    }

    /// Waits (bounded) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async {
        for _ in 0..<200 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    func testTheOnlyRequesterCancellingStopsTheBuild() async {
        let build = longBuild()
        let request = Task { try await build.value() }
        try? await Task.sleep(for: .milliseconds(50))
        XCTAssertFalse(build.isCancelled)
        request.cancel()
        do {
            _ = try await request.value
            XCTFail("expected the request to end with the cancelled build")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertTrue(build.isCancelled)
    }

    func testTheBuildGoesOnWhileAnotherRequestWaits() async {
        let build = longBuild()
        let first = Task { try await build.value() }
        let second = Task { try await build.value() }
        try? await Task.sleep(for: .milliseconds(50))
        first.cancel()
        try? await Task.sleep(for: .milliseconds(100))
        XCTAssertFalse(build.isCancelled, "one of two requests gave up: the other still waits for the build")
        second.cancel()
        await eventually { build.isCancelled }
        XCTAssertTrue(build.isCancelled)
        _ = try? await first.value
        _ = try? await second.value
    }
}
