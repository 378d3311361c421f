import Devices
import Foundation
import OnionctlCLI
import OnionctlUI
import TorCircuits
import TorClient

/// The headless soak driver behind `onionctl-soak` (run by `Benchmarks/soak`): the dashboard's
/// real backend (``LiveDashboardBackend``, the code the TUI runs) polls every device of the address
/// book while the driver makes changes on a seeded schedule, as a person at the dashboard would:
/// setpoints, modes, pin toggles, one change in flight per device. It records every intended
/// change with what the dashboard told the user, every poll outcome, and once a minute this
/// process's memory, descriptors, threads and the Tor client's channels, circuits and streams.
/// `Benchmarks/soak` reconciles those records against each device's own state and change log.
public enum SoakDriver {
    static let usage = """
    usage: onionctl-soak --network FILE --out DIR [--minutes N] [--seed S] [--change-every SECONDS]
                         [--settle SECONDS] [--answer-bound SECONDS]

    Runs the dashboard backend headless against the address book ($ONIONCTL_CONFIG_DIR) for N
    minutes of changes (default 3), then settles (no new changes) and re-reads every device.
    Writes DIR/changes.jsonl, DIR/reads.jsonl, DIR/minutes.jsonl and DIR/final.json.
    """

    struct Options {
        var network = ""
        var out = ""
        var minutes = 3.0
        var seed: UInt64 = 1
        var changeEvery = 6.0
        var settle = 60.0
        /// The longest the dashboard may take to tell the outcome of a change: a read (connect
        /// 120 s + request 30 s) and the change itself (30 s), behind one queued poll of the same size.
        var answerBound = 420.0
    }

    /// Parses `arguments` (without the program name) and runs; returns the exit status.
    public static func main(_ arguments: [String]) async -> Int32 {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next() else {
                FileHandle.standardError.write(Data("onionctl-soak: \(argument) needs a value\n\(usage)\n".utf8))
                return 2
            }
            switch argument {
            case "--network": options.network = value
            case "--out": options.out = value
            case "--minutes": options.minutes = Double(value) ?? -1
            case "--seed": options.seed = UInt64(value) ?? 0
            case "--change-every": options.changeEvery = Double(value) ?? -1
            case "--settle": options.settle = Double(value) ?? -1
            case "--answer-bound": options.answerBound = Double(value) ?? -1
            default:
                FileHandle.standardError.write(Data("onionctl-soak: unknown option \(argument)\n\(usage)\n".utf8))
                return 2
            }
        }
        guard !options.network.isEmpty, !options.out.isEmpty, options.minutes > 0, options.changeEvery > 0,
              options.settle >= 0, options.answerBound > 0 else {
            FileHandle.standardError.write(Data("onionctl-soak: --network and --out are required; numbers must be positive\n\(usage)\n".utf8))
            return 2
        }
        do {
            try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
            let configuration = try TorClientConfiguration.load(networkFile: options.network)
            let run = try SoakRun(options: options, store: AddressBookStore.standard(), configuration: configuration)
            return try await run.run()
        } catch {
            FileHandle.standardError.write(Data("onionctl-soak: \(error)\n".utf8))
            return 1
        }
    }
}

/// The latest snapshot the backend published (the driver subscribes as the TUI does).
final class SnapshotHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var value = DashboardSnapshot()
    var current: DashboardSnapshot { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ snapshot: DashboardSnapshot) { lock.lock(); value = snapshot; lock.unlock() }
}

/// A result that a detached task fills in once.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (outcome: String, message: String)?
    var result: (outcome: String, message: String)? { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ outcome: String, _ message: String) { lock.lock(); value = (outcome, message); lock.unlock() }
}

actor SoakRun {
    let options: SoakDriver.Options
    let backend: LiveDashboardBackend
    let holder = SnapshotHolder()
    var random: SoakRandom
    var busy: Set<String> = []
    var changeCount = 0
    var outstanding = 0
    var lastTallies: [String: ReadTally] = [:]
    /// The lowest circuit and stream counts seen this minute (sampled every second): reads in
    /// flight come and go, a leak raises the floor.
    var floor: (circuits: Int, streams: Int)?
    let changes: SoakJSONLines
    let reads: SoakJSONLines
    let minutes: SoakJSONLines
    /// The dashboard's log view, copied line by line (the log keeps only its last 300 lines).
    let dashboardLog: SoakJSONLines
    var lastLogTime = Date.distantPast
    /// Each device's rendezvous circuit as last seen, and when it was first seen; a circuit that
    /// goes away is recorded in circuits.jsonl with its age and why it ended.
    var circuitsSeen: [String: (circuit: Circuit, since: Date)] = [:]
    let circuitLog: SoakJSONLines
    var circuitsEnded = 0
    let started = Date()

    init(options: SoakDriver.Options, store: AddressBookStore, configuration: TorClientConfiguration) throws {
        self.options = options
        backend = LiveDashboardBackend(store: store, configuration: configuration)
        random = SoakRandom(seed: options.seed)
        changes = try SoakJSONLines(path: options.out + "/changes.jsonl")
        reads = try SoakJSONLines(path: options.out + "/reads.jsonl")
        minutes = try SoakJSONLines(path: options.out + "/minutes.jsonl")
        dashboardLog = try SoakJSONLines(path: options.out + "/dashboard-log.jsonl")
        circuitLog = try SoakJSONLines(path: options.out + "/circuits.jsonl")
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data("\(ISO8601DateFormatter().string(from: Date())) \(line)\n".utf8))
    }

    func run() async throws -> Int32 {
        await backend.start()
        let holder = self.holder
        let stream = backend.snapshots()
        let watcher = Task { for await snapshot in stream { holder.set(snapshot) } }
        defer { watcher.cancel() }
        let bootDeadline = Date().addingTimeInterval(300)
        while !holder.current.tor.bootstrapped, holder.current.tor.problem == nil, Date() < bootDeadline {
            try? await Task.sleep(for: .milliseconds(500))
        }
        guard holder.current.tor.bootstrapped else {
            Self.say("FAIL bootstrap: \(holder.current.tor.problem?.message ?? "not bootstrapped within 300 s")")
            await backend.stop()
            return 1
        }
        Self.say("bootstrapped; \(holder.current.devices.count) devices; changes for \(options.minutes) min, seed \(options.seed)")

        let changeEnd = Date().addingTimeInterval(options.minutes * 60)
        var nextChange = Date().addingTimeInterval(30)  // first readings arrive meanwhile
        var nextMinute = Date().addingTimeInterval(60)
        var minute = 0
        while Date() < changeEnd {
            await sampleReads()
            await sampleFloor()
            if Date() >= nextChange {
                startChange()
                nextChange = Date().addingTimeInterval(options.changeEvery * Double.random(in: 0.5...1.5, using: &random))
            }
            if Date() >= nextMinute {
                minute += 1
                await report(minute: minute, phase: "changes")
                nextMinute = nextMinute.addingTimeInterval(60)
            }
            try? await Task.sleep(for: .seconds(1))
        }
        // Settle: no new changes; every change in flight gets its answer (bounded), then a quiet spell.
        Self.say("changes stop; settling (\(outstanding) in flight)")
        let settleEnd = Date().addingTimeInterval(options.answerBound + 15)
        while outstanding > 0 && Date() < settleEnd {
            await sampleReads()
            try? await Task.sleep(for: .seconds(1))
        }
        let quietEnd = Date().addingTimeInterval(options.settle)
        while Date() < quietEnd {
            await sampleReads()
            await sampleFloor()
            if Date() >= nextMinute {
                minute += 1
                await report(minute: minute, phase: "settle")
                nextMinute = nextMinute.addingTimeInterval(60)
            }
            try? await Task.sleep(for: .seconds(1))
        }
        await report(minute: minute + 1, phase: "end")
        let final = await finalRead()
        await backend.stop()
        try? await Task.sleep(for: .seconds(2))
        let after = SoakProcessStats.current()
        let document: [String: Any] = [
            "devices": final, "changes": changeCount, "still_in_flight": outstanding,
            "after_stop": ["rss_kb": after.rssKB, "fds": after.openFDs, "threads": after.threads],
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: options.out + "/final.json"))
        Self.say("done: \(changeCount) changes, \(outstanding) still without an answer; after stop: fds \(after.openFDs), threads \(after.threads)")
        return 0
    }

    // MARK: Polls

    /// Records the polls the dashboard finished since the last call.
    func sampleReads() async {
        let lines = holder.current.log.filter { $0.time > lastLogTime }
        for line in lines {
            dashboardLog.write(["unix": String(line.time.timeIntervalSince1970), "level": line.level.rawValue, "message": line.message])
        }
        if let last = lines.last { lastLogTime = last.time }
        let tallies = await backend.readTallies
        let now = Date().timeIntervalSince1970
        for (device, tally) in tallies {
            let before = lastTallies[device] ?? ReadTally()
            for _ in 0..<max(0, tally.answered - before.answered) {
                reads.write(SoakReadEvent(device: device, unix: now, answered: true, reason: nil))
            }
            for (reason, count) in tally.unanswered {
                for _ in 0..<max(0, count - (before.unanswered[reason] ?? 0)) {
                    reads.write(SoakReadEvent(device: device, unix: now, answered: false, reason: reason,
                                              message: holder.current.device(named: device)?.problem?.message))
                }
            }
        }
        lastTallies = tallies
    }

    func sampleFloor() async {
        let now = await backend.rendezvousCircuits()
        for (device, seen) in circuitsSeen where now[device] !== seen.circuit {
            circuitsEnded += 1
            circuitLog.write(["device": device, "circuit": String(seen.circuit.id),
                              "unix": String(Date().timeIntervalSince1970),
                              "age_s": String(format: "%.1f", Date().timeIntervalSince(seen.since)),
                              "ended": seen.circuit.failure.map { "\($0)" } ?? (seen.circuit.isOpen ? "replaced while open" : "closed")])
        }
        for (device, circuit) in now where circuitsSeen[device]?.circuit !== circuit {
            circuitsSeen[device] = (circuit, Date())
        }
        for device in circuitsSeen.keys where now[device] == nil { circuitsSeen[device] = nil }
        let counts = await backend.resourceCounts()
        floor = (min(floor?.circuits ?? .max, counts.circuits), min(floor?.streams ?? .max, counts.streams))
    }

    /// The device `Benchmarks/soak` is faulting right now, if it says so (out/fault-now holds its
    /// name while a device is down or paused): changes then land on it half the time.
    func faultedDevice() -> String? {
        guard let text = readSmallFile(options.out + "/fault-now") else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    // MARK: Changes

    func startChange() {
        let snapshot = holder.current
        let ready = snapshot.devices.filter { device in
            guard !busy.contains(device.name) else { return false }
            switch device.kind {
            case .thermostat: return device.thermostat != nil && device.pending.setpoint == nil && device.pending.mode == nil
            case .pins: return device.pins?.contains { $0.isToggleable } == true && device.pending.pins.isEmpty
            case .http: return false
            }
        }
        let aimAtFault = Bool.random(using: &random)
        let faulted = faultedDevice()
        guard let device = (aimAtFault ? ready.first { $0.name == faulted } : nil) ?? ready.randomElement(using: &random) else { return }
        changeCount += 1
        var change = SoakChange(id: changeCount, device: device.name, field: "", value: "", issued: Date().timeIntervalSince1970)
        let command: String?
        var pin: OnionctlUI.PinLink?
        if let reading = device.thermostat {
            if Bool.random(using: &random) {
                let steps = Int(((reading.maximum - reading.minimum) / reading.step).rounded())
                var k = Int.random(in: 0...max(0, steps), using: &random)
                if abs(reading.minimum + Double(k) * reading.step - reading.setpoint) < reading.step / 2 { k = (k + 1) % (steps + 1) }
                change.field = "setpoint"
                change.value = String(format: "%.1f", reading.minimum + Double(k) * reading.step)
            } else {
                let modes = ["off", "heat", "cool", "auto"].filter { $0 != reading.mode.rawValue }
                change.field = "mode"
                change.value = modes.randomElement(using: &random)!
            }
            command = "set \(device.name) \(change.field) \(change.value)"
        } else {
            let link = device.pins!.filter(\.isToggleable).randomElement(using: &random)!
            pin = link
            change.field = "pin"
            change.value = "\(link.index)=\(link.isOn == true ? "off" : "on")"
            command = nil
        }
        busy.insert(device.name)
        outstanding += 1
        let backend = self.backend, holder = self.holder, bound = options.answerBound
        let box = OutcomeBox()
        let recorded = change
        Task {
            if let command {
                do {
                    let answer = try await backend.runCommand(command)
                    box.set("confirmed", answer)
                } catch {
                    box.set("failed", "\(error)")
                }
            } else if let pin {
                await Self.toggle(backend: backend, holder: holder, device: recorded.device, link: pin,
                                  issued: Date(timeIntervalSince1970: recorded.issued), bound: bound, box: box)
            }
            await self.finished(recorded.device)
        }
        Task {
            let deadline = Date().addingTimeInterval(bound)
            while box.result == nil && Date() < deadline { try? await Task.sleep(for: .milliseconds(250)) }
            var done = recorded
            done.finished = Date().timeIntervalSince1970
            done.outcome = box.result?.outcome ?? "no-answer"
            done.message = box.result?.message ?? "the dashboard said nothing within \(Int(bound)) s"
            await self.record(done)
        }
    }

    func finished(_ device: String) { busy.remove(device) }

    func record(_ change: SoakChange) {
        outstanding -= 1
        changes.write(change)
        Self.say("change \(change.id) \(change.device) \(change.field)=\(change.value): \(change.outcome ?? "?") "
                 + "after \(String(format: "%.1f", (change.finished ?? 0) - change.issued)) s"
                 + (change.outcome == "confirmed" ? "" : " — \(change.message ?? "")"))
    }

    /// Toggles a pin as the `t` key does, then waits for the dashboard to clear the pending mark
    /// and reads the outcome the user sees: the log's "confirmed" line, or the device's problem.
    static func toggle(backend: LiveDashboardBackend, holder: SnapshotHolder, device: String, link: OnionctlUI.PinLink,
                       issued: Date, bound: Double, box: OutcomeBox) async {
        let wanted = link.isOn != true
        do {
            try await backend.togglePin(device: device, index: link.index)
        } catch {
            box.set("failed", "\(error)")
            return
        }
        let deadline = Date().addingTimeInterval(bound)
        let confirmation = "\(device): confirmed \(link.name) \(wanted ? "on" : "off")"
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(250))
            let snapshot = holder.current
            guard let current = snapshot.device(named: device) else { continue }
            if current.pending.pins[link.index] != nil { continue }
            if snapshot.log.contains(where: { $0.time >= issued && $0.message == confirmation }) {
                box.set("confirmed", confirmation)
            } else {
                box.set("failed", current.problem?.message ?? "the pending mark cleared without a confirmation")
            }
            return
        }
    }

    // MARK: Reports

    func report(minute: Int, phase: String) async {
        let stats = SoakProcessStats.current()
        let counts = await backend.resourceCounts()
        let snapshot = holder.current
        // Rendezvous circuits the dashboard shows as open whose channel no longer lists them.
        let strays = await backend.unregisteredRendezvousCircuits()
        let recent = Date().addingTimeInterval(-120)
        let live = snapshot.devices.filter { ($0.lastUpdate ?? .distantPast) >= recent }.count
        var perDevice: [String: Any] = [:]
        var parts: [String] = []
        for device in snapshot.devices {
            let tally = lastTallies[device.name] ?? ReadTally()
            let total = tally.answered + tally.unanswered.values.reduce(0, +)
            perDevice[device.name] = ["answered": tally.answered, "total": total, "unanswered": tally.unanswered]
            let reasons = tally.unanswered.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            parts.append("\(device.name) \(tally.answered)/\(total)" + (reasons.isEmpty ? "" : " (\(reasons))"))
        }
        let line: [String: Any] = [
            "minute": minute, "phase": phase, "unix": Date().timeIntervalSince1970,
            "rss_kb": stats.rssKB, "fds": stats.openFDs, "threads": stats.threads,
            "heap_in_use_kb": stats.heapInUseKB, "heap_arena_kb": stats.heapArenaKB,
            "channels": counts.channels, "open_channels": counts.openChannels, "circuits": counts.circuits,
            "streams": counts.streams, "connecting": counts.connecting,
            "circuits_floor": floor?.circuits ?? counts.circuits, "streams_floor": floor?.streams ?? counts.streams, "rendezvous_circuits": snapshot.tor.circuits.count,
            "unregistered_rendezvous": strays.count, "rendezvous_ended": circuitsEnded, "live_devices": live, "changes": changeCount, "in_flight": outstanding, "polls": perDevice,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) {
            minutes.writeRaw(data)
        }
        Self.say("minute \(minute) [\(phase)]: RSS \(stats.rssKB) kB (heap in use \(stats.heapInUseKB) kB of \(stats.heapArenaKB) kB), fds \(stats.openFDs), threads \(stats.threads), "
                 + "channels \(counts.openChannels)/\(counts.channels), circuits \(counts.circuits) (floor \(floor?.circuits ?? counts.circuits)), "
                 + "streams \(counts.streams) (floor \(floor?.streams ?? counts.streams)), "
                 + "rendezvous \(snapshot.tor.circuits.count), live devices \(live)/\(snapshot.devices.count), "
                 + "changes \(changeCount) (\(outstanding) in flight), rendezvous circuits ended \(circuitsEnded)"
                 + (strays.isEmpty ? "" : "; shown open but not on any channel: \(strays.joined(separator: ", "))"))
        Self.say("  polls answered: " + parts.joined(separator: "; "))
        floor = nil
    }

    /// Re-reads every device (as `r` does) and returns the dashboard's final view of each: waits
    /// (bounded) until every device has finished one more poll, answered or not.
    func finalRead() async -> [[String: Any]] {
        let start = Date()
        let before = await backend.readTallies
        func total(_ tally: ReadTally?) -> Int { (tally?.answered ?? 0) + (tally?.unanswered.values.reduce(0, +) ?? 0) }
        for device in holder.current.devices { try? await backend.refresh(device: device.name) }
        let deadline = start.addingTimeInterval(options.answerBound)
        while Date() < deadline {
            let now = await backend.readTallies
            if holder.current.devices.allSatisfy({ total(now[$0.name]) > total(before[$0.name]) }) { break }
            try? await Task.sleep(for: .seconds(1))
        }
        await sampleReads()
        return holder.current.devices.map { device in
            var entry: [String: Any] = ["name": device.name, "kind": device.kind.rawValue,
                                        "read_after_settle": (device.lastUpdate ?? .distantPast) > start]
            if let reading = device.thermostat { entry["setpoint"] = reading.setpoint; entry["mode"] = reading.mode.rawValue }
            if let pins = device.pins {
                entry["pins"] = Dictionary(uniqueKeysWithValues: pins.compactMap { link in link.isOn.map { ("\(link.index)", $0) } })
            }
            if let problem = device.problem { entry["problem"] = problem.message }
            return entry
        }
    }
}
