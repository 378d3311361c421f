import Foundation
@testable import TorCircuits
import TorDirectory
import XCTest

/// The learned circuit build timeout of path-spec §2.4 against hand-computed cases, and its
/// persistence.
final class CircuitBuildTimeEstimatorTests: XCTestCase {
    private func parameters(_ values: [String: Int32]) -> CircuitTimeoutParameters {
        CircuitTimeoutParameters(ConsensusParams(values))
    }

    func testParametersAreCTorsDefaultsAndBounds() {
        let defaults = CircuitTimeoutParameters()
        XCTAssertFalse(defaults.disabled)
        XCTAssertEqual(defaults.numModes, 10)
        XCTAssertEqual(defaults.quantile, 0.80)
        XCTAssertEqual(defaults.closeQuantile, 0.99)
        XCTAssertEqual(defaults.minCircuits, 100)
        XCTAssertEqual(defaults.minTimeoutMs, 10)
        XCTAssertEqual(defaults.initialTimeoutMs, 60_000)
        XCTAssertEqual(defaults.recentCount, 20)
        XCTAssertEqual(defaults.maxTimeouts, 18)
        // Out-of-range values are clamped; the close quantile never falls below the quantile,
        // nor the initial timeout below the minimum.
        let clamped = parameters(["cbtnummodes": 50, "cbtquantile": 5, "cbtclosequantile": 100, "cbtmincircs": 0,
                                  "cbtrecentcount": 1, "cbtmaxtimeouts": 1, "cbtdisabled": 7])
        XCTAssertEqual(clamped.numModes, 20)
        XCTAssertEqual(clamped.quantile, 0.10)
        XCTAssertEqual(clamped.closeQuantile, 0.99)
        XCTAssertEqual(clamped.minCircuits, 1)
        XCTAssertEqual(clamped.recentCount, 3)
        XCTAssertEqual(clamped.maxTimeouts, 3)
        XCTAssertTrue(clamped.disabled)
        XCTAssertEqual(parameters(["cbtquantile": 90, "cbtclosequantile": 50]).closeQuantile, 0.90)
        XCTAssertEqual(parameters(["cbtmintimeout": 2000, "cbtinitialtimeout": 1000]).initialTimeoutMs, 2000)
    }

    /// Build times 100, 100, 200 and 300 ms. Histogram (10 ms bins): bin 10 (midpoint 105 ms)
    /// twice, bins 20 (205) and 30 (305) once. With 10 modes, Xm = (2·105 + 205 + 305) / 4 = 180;
    /// alpha = 4 / (ln(200/180) + ln(300/180)) = 4 / 0.6161861 = 6.491545 (the two times below
    /// Xm count as Xm); the 80 % timeout is 180 / 0.2^(1/alpha) = 230.65 ms (below the longest
    /// time, 300 ms); the 99 % close time is 365.9 ms, raised to the initial 60 s.
    func testHandComputedFitWithTenModes() throws {
        let samples = [100, 300, 100, 200]
        XCTAssertEqual(CircuitBuildTimeEstimator.histogram(samples).count, 31)
        XCTAssertEqual(CircuitBuildTimeEstimator.histogram(samples)[10], 2)
        XCTAssertEqual(CircuitBuildTimeEstimator.xm(samples, modes: 10), 180)
        let alpha = try XCTUnwrap(CircuitBuildTimeEstimator.alpha(samples, xm: 180))
        XCTAssertEqual(alpha, 4 / (log(200.0 / 180) + log(300.0 / 180)), accuracy: 1e-12)
        XCTAssertEqual(alpha, 6.491545, accuracy: 1e-6)

        var estimator = CircuitBuildTimeEstimator(parameters: parameters(["cbtmincircs": 4]))
        for (index, time) in samples.enumerated() {
            XCTAssertFalse(estimator.isLearned, "learned after \(index) of 4 times")
            XCTAssertEqual(estimator.timeoutMs, 60_000)
            estimator.recordBuildTime(time)
        }
        XCTAssertTrue(estimator.isLearned)
        XCTAssertEqual(estimator.xm, 180)
        XCTAssertEqual(estimator.timeoutMs, 180 / pow(0.2, 1 / alpha), accuracy: 1e-9)
        XCTAssertEqual(estimator.timeoutMs, 230.65, accuracy: 0.01)
        XCTAssertEqual(CircuitBuildTimeEstimator.paretoQuantile(xm: 180, alpha: alpha, quantile: 0.99), 365.9, accuracy: 0.1)
        XCTAssertEqual(estimator.closeMs, 60_000)
    }

    /// The same times with one mode: Xm = 105 (bin 10 alone); alpha = 4 / (ln(200/105) +
    /// ln(300/105)) = 2.361025; timeout = 105 / 0.2^(1/alpha) = 207.60 ms.
    func testHandComputedFitWithOneMode() throws {
        var estimator = CircuitBuildTimeEstimator(samples: [100, 100, 200, 300],
                                                  parameters: parameters(["cbtmincircs": 4, "cbtnummodes": 1]))
        XCTAssertEqual(estimator.xm, 105)
        XCTAssertEqual(try XCTUnwrap(estimator.alpha), 2.361025, accuracy: 1e-6)
        XCTAssertEqual(estimator.timeoutMs, 207.60, accuracy: 0.01)
        // Of two equally frequent bins the shorter is the mode (C tor scans from the shortest).
        XCTAssertEqual(CircuitBuildTimeEstimator.xm([1000, 100], modes: 1), 105)
        // A 90 % quantile from a newer consensus moves the timeout up the same curve.
        estimator.update(parameters(["cbtmincircs": 4, "cbtnummodes": 1, "cbtquantile": 90]))
        XCTAssertEqual(estimator.timeoutMs, 105 / pow(0.1, 1 / 2.361025), accuracy: 0.01)
    }

    /// Times that all fall at or below Xm give an infinite alpha: the timeout is Xm (5 ms),
    /// raised to `cbtmintimeout` (10 ms). Abandoned circuits count toward `cbtmincircs` but not
    /// in the fit, and a timeout is never longer than the longest time seen.
    func testBoundsAndAbandonedCircuits() {
        var fast = CircuitBuildTimeEstimator(samples: [5, 5, 5, 5], parameters: parameters(["cbtmincircs": 4]))
        XCTAssertEqual(fast.alpha, .infinity)
        XCTAssertEqual(fast.timeoutMs, 10)
        fast.update(parameters(["cbtmincircs": 4, "cbtmintimeout": 50]))
        XCTAssertEqual(fast.timeoutMs, 50)

        var estimator = CircuitBuildTimeEstimator(parameters: parameters(["cbtmincircs": 4, "cbtnummodes": 1]))
        estimator.recordBuildTime(100)
        estimator.recordBuildTime(100)
        estimator.recordBuildTime(200)
        XCTAssertFalse(estimator.isLearned)
        estimator.recordAbandoned()
        XCTAssertTrue(estimator.isLearned)
        XCTAssertEqual(estimator.recordedCount, 4)
        // Xm = 105, alpha = 3 / ln(200/105) = 4.655806, 80 % point 148.4 ms.
        XCTAssertEqual(estimator.alpha ?? 0, 3 / log(200.0 / 105), accuracy: 1e-12)
        XCTAssertEqual(estimator.timeoutMs, 105 / pow(0.2, log(200.0 / 105) / 3), accuracy: 1e-9)
        // The 99 % point (105 / 0.01^(1/alpha) = 282 ms, under twice the longest time) is raised
        // to the initial timeout, 60 s.
        XCTAssertEqual(estimator.closeMs, 60_000)
        // Only the last 1000 times are kept.
        var full = CircuitBuildTimeEstimator(samples: Array(repeating: 100, count: 1000))
        full.recordBuildTime(7)
        XCTAssertEqual(full.samples.count, 1000)
        XCTAssertEqual(full.samples.last, 7)
    }

    /// `cbtmaxtimeouts` of the last `cbtrecentcount` circuits timing out after their first hop
    /// discard the history: a learned timeout goes back to the initial one, and the initial one
    /// doubles. Timeouts before the first hop do not count.
    func testTooManyRecentTimeoutsResetTheHistory() {
        var estimator = CircuitBuildTimeEstimator(samples: [100, 100, 200, 300],
                                                  parameters: parameters(["cbtmincircs": 4, "cbtrecentcount": 4, "cbtmaxtimeouts": 3]))
        XCTAssertTrue(estimator.isLearned)
        XCTAssertFalse(estimator.recordTimeout(afterFirstHop: true))
        XCTAssertFalse(estimator.recordTimeout(afterFirstHop: false))
        XCTAssertFalse(estimator.recordTimeout(afterFirstHop: true))
        estimator.recordBuildTime(150)
        // Window (4 recent): timeout, timeout, success, and now a third timeout.
        XCTAssertTrue(estimator.recordTimeout(afterFirstHop: true))
        XCTAssertFalse(estimator.isLearned)
        XCTAssertEqual(estimator.recordedCount, 0)
        XCTAssertEqual(estimator.timeoutMs, 60_000)
        XCTAssertEqual(estimator.closeMs, 60_000)
        for _ in 0..<2 { XCTAssertFalse(estimator.recordTimeout(afterFirstHop: true)) }
        XCTAssertTrue(estimator.recordTimeout(afterFirstHop: true))
        XCTAssertEqual(estimator.timeoutMs, 120_000)
    }

    func testDisabledKeepsTheInitialTimeout() {
        var estimator = CircuitBuildTimeEstimator(samples: [100, 100, 200, 300],
                                                  parameters: parameters(["cbtmincircs": 4, "cbtdisabled": 1]))
        XCTAssertFalse(estimator.isLearned)
        estimator.recordBuildTime(100)
        XCTAssertEqual(estimator.timeoutMs, 60_000)
    }

    // MARK: Persistence

    private func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cbt-\(UUID())/circuit-timeouts.json")
    }

    func testHistoryIsSavedEveryTenTimesAndReloaded() throws {
        let file = temporaryFile()
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let timeouts = CircuitBuildTimeouts(fileURL: file)
        XCTAssertNil(timeouts.loadProblem)
        for index in 0..<9 { timeouts.recordBuildTime(0.1 + Double(index) / 100, withinTimeout: true) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
        timeouts.recordBuildTime(0.25, withinTimeout: false)
        let stored = try CircuitTimeoutState.load(Data(contentsOf: file)).get()
        XCTAssertEqual(stored.version, 1)
        XCTAssertEqual(stored.buildTimesMs, [100, 110, 120, 130, 140, 150, 160, 170, 180, 250])
        let reloaded = CircuitBuildTimeouts(fileURL: file)
        XCTAssertNil(reloaded.loadProblem)
        XCTAssertEqual(reloaded.status.recorded, 10)
        XCTAssertEqual(reloaded.status.needed, 100)
        XCTAssertFalse(reloaded.status.isLearned)
        XCTAssertEqual(reloaded.current.timeout, 60)
        reloaded.update(from: ConsensusParams(["cbtmincircs": 10]))
        XCTAssertTrue(reloaded.status.isLearned)
        XCTAssertLessThan(reloaded.current.timeout, 0.26)
        // Fewer than 10 new times are written when the client shuts down.
        reloaded.recordBuildTime(0.3, withinTimeout: true)
        XCTAssertEqual(try CircuitTimeoutState.load(Data(contentsOf: file)).get().buildTimesMs.count, 10)
        reloaded.saveIfChanged()
        XCTAssertEqual(try CircuitTimeoutState.load(Data(contentsOf: file)).get().buildTimesMs.last, 300)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testDamagedHistoryIsReportedKeptAsideAndRebuilt() throws {
        let damaged: [(String, String)] = [
            ("{\"version\": 1, \"buildTimesMs\": [100, ", "not readable JSON"),
            ("{\"version\": 7, \"buildTimesMs\": []}", "version 7"),
            ("{\"version\": 1, \"buildTimesMs\": [100, -5]}", "negative"),
            ("[1, 2, 3]", "not readable JSON"),
        ]
        for (text, expected) in damaged {
            let file = temporaryFile()
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
            let timeouts = CircuitBuildTimeouts(fileURL: file)
            let problem = try XCTUnwrap(timeouts.loadProblem, text)
            XCTAssertTrue(problem.contains(expected), problem)
            XCTAssertTrue(problem.contains("learned again"), problem)
            XCTAssertEqual(timeouts.status.recorded, 0)
            XCTAssertEqual(try String(contentsOf: file.appendingPathExtension("damaged"), encoding: .utf8), text)
            for _ in 0..<10 { timeouts.recordBuildTime(0.2, withinTimeout: true) }
            XCTAssertEqual(try CircuitTimeoutState.load(Data(contentsOf: file)).get().buildTimesMs.count, 10)
        }
    }
}
