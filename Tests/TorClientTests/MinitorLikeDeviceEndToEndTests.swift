import Devices
import Foundation
import OnionService
import Synchronization
import TestSupport
import TorCircuits
import TorClient
import XCTest

/// Issue 18, end to end: a Minitor device ignores an INTRODUCE2 that arrives within about 5 s of
/// the one it served before. The introduction point has ACKed the client with success, so the
/// client must not wait a full minute for a RENDEZVOUS2 that never comes: it must give up on that
/// introduction after a bounded wait and introduce itself again through another introduction point.
///
/// The device is `scripts/testnet up --minitor-like`: `onion-device --quirks minitor` behind a
/// real C tor onion service whose rendezvous circuits launched within the window are closed by the
/// harness's `intro-gate` (docs/reliability.md, "Minitor-like device"). Own network: the shared
/// one must not have a device that drops introductions.
final class MinitorLikeDeviceEndToEndTests: XCTestCase {
    /// Each client must have its answer within this long (the old client waited 60 s, then failed).
    static let answerBound: TimeInterval = 30
    /// Each request is abandoned after this long, so the test ends even on a client that never gives up.
    static let requestBound: TimeInterval = 75
    /// How often the two-client scenario is run at most when the harness's drop came too late.
    static let trials = 4

    /// What one client saw: how long its request took, its introduction attempts, its progress.
    struct Outcome: Sendable {
        var name: String
        var seconds: TimeInterval
        var status: Int?
        var body: String
        var error: String?
        var introductions: Int
        var progress: [String]

        var summary: String {
            let result = status.map { "HTTP \($0)" } ?? "error: \(error ?? "?")"
            return "\(name): \(result) after \(String(format: "%.1f", seconds)) s, \(introductions) introduction attempt(s); "
                + "progress: \(progress.joined(separator: " | "))"
        }
    }

    /// The events of the device's `intro-gate` (one JSON object a line).
    private func gateEvents(_ device: TestNetwork.Device) -> [[String: Any]] {
        guard let path = device.intro_gate_log, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Sleeps until the drop window of the last introduction the device served has passed (bounded).
    private func waitOutWindow(_ device: TestNetwork.Device, window: Double) async throws {
        let lastServed = gateEvents(device).last { $0["event"] as? String == "allowed" }?["t"] as? Double
        guard let lastServed else { return }
        let wait = min(window + 1, lastServed + window + 0.5 - Date().timeIntervalSince1970)
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
    }

    /// One GET /links, bounded by `requestBound`, timed and with its introduction attempts counted.
    private static func request(_ name: String, _ client: TorClient, _ log: ProgressLog, _ device: TestNetwork.Device) async -> Outcome {
        log.clear()
        let started = Date()
        var outcome = Outcome(name: name, seconds: 0, status: nil, body: "", error: nil, introductions: 0, progress: [])
        do {
            let response = try await withTimeout(Self.requestBound,
                                                 error: TestNetworkError("no answer within \(Self.requestBound) s")) {
                try await fetchHTTP(client, device, "/links")
            }
            outcome.status = response.status
            outcome.body = response.bodyText
        } catch {
            outcome.error = "\(error)"
        }
        outcome.seconds = Date().timeIntervalSince(started)
        let events = log.all
        outcome.introductions = events.filter { $0.phase == .introduction }.count
        outcome.progress = events.map { String(format: "%.1fs %@: %@", $0.elapsed, $0.phase.description, $0.detail) }
        return outcome
    }

    func testTwoClientsIntroducingWithinTheDropWindowBothGetAnswers() async throws {
        let network = try TestNetwork.fresh("minitor-like", upArguments: ["--devices", "", "--minitor-like"])
        defer { network.stop() }
        let device = try network.device("minitor-like")
        XCTAssertEqual(device.quirks, ["minitor"])
        let window = try XCTUnwrap(device.intro_drop_window, "the device does not drop introductions")
        let address = try OnionAddress(device.onion)

        let first = try makeClient("minitor-like-a", network: network)
        let second = try makeClient("minitor-like-b", network: network)
        let firstLog = ProgressLog(), secondLog = ProgressLog()
        await first.addProgressHandler { firstLog.append($0) }
        await second.addProgressHandler { secondLog.append($0) }

        // Warm: the first client reaches the device once (outside any drop window; a second try if
        // C tor's service was not ready yet), so it has the descriptor and a directory.
        var warm = Outcome(name: "warm", seconds: 0, status: nil, body: "", error: nil, introductions: 0, progress: [])
        for attempt in 1...2 {
            try await waitOutWindow(device, window: window)
            warm = await Self.request("warm (attempt \(attempt))", first, firstLog, device)
            if warm.status == 200 { break }
        }
        print("minitor-like: \(warm.summary)")
        XCTAssertEqual(warm.status, 200, "the device must answer a lone client: \(warm.summary)")
        guard warm.status == 200 else { return await shutdown(first, second) }
        _ = try await second.netDirectory()
        // The first client's next request needs a new introduction; both now introduce at about
        // the same time, once the warm-up's window has passed: the device serves one and ignores
        // the other, whose introduction point has ACKed it with success all the same.
        //
        // On a loaded machine the gate's close can come too late: C tor builds the circuit first
        // ("leaked"), the service joins the rendezvous, and the close then cuts a live session,
        // which no Minitor does (it serves an introduction or ignores it). Seen in CI on
        // 2026-12-04 in two runs of three. Such a trial tests the harness, not the client: it is
        // run again, a bounded number of times.
        var outcomes = [Outcome]()
        var gate = [[String: Any]]()
        var report = ""
        for trial in 1...Self.trials {
            await first.dropCircuit(to: address)
            await second.dropCircuit(to: address)
            try await waitOutWindow(device, window: window)
            let phaseStart = Date().timeIntervalSince1970
            async let outcomeA = Self.request("client A", first, firstLog, device)
            async let outcomeB = Self.request("client B", second, secondLog, device)
            outcomes = await [outcomeA, outcomeB]

            gate = gateEvents(device).filter { ($0["t"] as? Double ?? 0) >= phaseStart }
            // What the device did with each rendezvous circuit its service launched (one per
            // INTRODUCE2, plus C tor's relaunches of closed ones): allowed/dropped, then built/closed/failed.
            let verdicts = gate.compactMap { event -> String? in
                guard let kind = event["event"] as? String, let t = event["t"] as? Double,
                      let circuit = event["circ"] as? String, kind != "first-circuit" else { return nil }
                let state = (event["hs_state"] as? String).map { " \($0)" } ?? ""
                return String(format: "+%.1fs circ %@ %@%@", t - phaseStart, circuit, kind, state)
            }
            report = outcomes.map(\.summary).joined(separator: "\n") + "\ndevice (intro-gate): " + verdicts.joined(separator: ", ")
            print("minitor-like (trial \(trial) of \(Self.trials)):\n\(report)")
            guard gate.contains(where: { $0["leaked"] as? Bool == true }) else { break }
            print("minitor-like: a close of the gate's came too late (a dropped circuit was built first)")
        }
        XCTAssertFalse(gate.contains { $0["leaked"] as? Bool == true },
                       "the harness could not drop an introduction in time in \(Self.trials) trials:\n\(report)")

        for outcome in outcomes {
            XCTAssertEqual(outcome.status, 200, "\(outcome.name) got no answer:\n\(report)")
            XCTAssertTrue(outcome.body.contains("\"index\""), "\(outcome.name) got a wrong body: \(outcome.body.prefix(200))")
            XCTAssertLessThan(outcome.seconds, Self.answerBound,
                              "\(outcome.name) must be answered within \(Self.answerBound) s even when the device ignored its "
                              + "introduction (re-introduce through another introduction point after a bounded wait):\n\(report)")
        }
        // The test proves something only if the device really ignored an introduction that the
        // introduction point had ACKed, and some client waited it out and went on.
        XCTAssertTrue(gate.contains { $0["event"] as? String == "dropped" },
                      "the device ignored no introduction (did both clients introduce within \(window) s?):\n\(report)")
        XCTAssertTrue(outcomes.contains { $0.progress.contains { $0.contains("no answer after") } },
                      "no client waited out an ignored introduction:\n\(report)")
        await shutdown(first, second)
    }

    private func shutdown(_ clients: TorClient...) async {
        for client in clients { await client.shutdown() }
    }
}
