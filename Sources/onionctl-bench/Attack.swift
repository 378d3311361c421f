// The "reach a device under attack" case of Benchmarks/run (issue 16): a flood of introductions
// without proof of work against a device whose C tor has PoW defenses on, and one client's attempt
// to reach that device while the flood runs.
//
//   onionctl-bench flood  ... --seconds N [--workers 12]   introduce without PoW until N s have passed
//   onionctl-bench attack ... [--pow on|off]               bootstrap, then one request, bounded by --timeout
import Devices
import Dispatch
import FoundationEssentials
import OnionService
import Synchronization
import TorCircuits
import TorClient
import TorDirectory
import TorProto

/// Counts of the flood's introductions (acknowledged by the introduction point, or failed).
final class FloodCounter: Sendable {
    private let counts = Mutex<(acked: Int, failed: Int)>((0, 0))
    func acked() { counts.withLock { $0.acked += 1 } }
    func failed() { counts.withLock { $0.failed += 1 } }
    var value: (acked: Int, failed: Int) { counts.withLock { $0 } }
}

/// What the flood introduces to: the service's introduction points and keys for one time period.
struct FloodTarget: Sendable {
    var period: TimePeriod
    var keys: BlindedKeys
    var introductionPoints: [IntroductionPoint]
    var rendezvous: [Relay]
}

/// The flood's target, replaced when the time period changes; and whether "flooding" was said.
final class FloodState: Sendable {
    private let current: Mutex<FloodTarget>
    private let announced = Atomic<Bool>(false)
    init(_ target: FloodTarget) { current = Mutex(target) }
    var target: FloodTarget {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
    /// True the first time only.
    func firstAcknowledgement() -> Bool { !announced.exchange(true, ordering: .relaxed) }
}

/// The current time period of the client's consensus.
func currentPeriod(_ client: TorClient) async throws -> (TimePeriod, NetDirectory) {
    let directory = try await client.netDirectory()
    let consensus = directory.consensus
    let period = try TimePeriod(validAfter: consensus.validAfter, votingInterval: consensus.votingInterval,
                                hsdirIntervalMinutes: Int(consensus.params.hsdirInterval),
                                testingNetwork: directory.isTestingNetwork)
    return (period, directory)
}

/// Learns the descriptor of the current period: a request starts the connection (the open
/// rendezvous circuit dropped first, so the descriptor is fetched), and as soon as a descriptor
/// whose introduction points differ from `known` is cached, the request is abandoned (under attack
/// it would not be answered). Within `bound` seconds, else whatever descriptor is cached.
func learnTarget(_ client: TorClient, _ address: OnionAddress, _ options: Options, known: [IntroductionPoint]?,
                 bound: Double) async throws -> FloodTarget {
    let (period, directory) = try await currentPeriod(client)
    await client.dropCircuit(to: address)
    let path = options.path
    let attempt = Task { _ = try? await request(client, address, path: path, timeout: bound) }
    defer { attempt.cancel() }
    let deadline = Date().addingTimeInterval(bound)
    var descriptor = await client.cachedDescriptor(for: address)
    while Date() < deadline {
        if let fresh = descriptor, !fresh.introductionPoints.isEmpty, fresh.introductionPoints != known { break }
        try await Task.sleep(for: .milliseconds(100))
        descriptor = await client.cachedDescriptor(for: address)
    }
    guard let descriptor, !descriptor.introductionPoints.isEmpty else {
        throw BenchError("flood: no descriptor with introduction points")
    }
    let rendezvous = directory.relays.filter { $0.flags.contains(.fast) }
    guard !rendezvous.isEmpty else { throw BenchError("flood: no Fast relay for rendezvous") }
    return FloodTarget(period: period, keys: try BlindedKeys(address: address, period: period),
                       introductionPoints: descriptor.introductionPoints, rendezvous: rendezvous)
}

/// One INTRODUCE1 without proof of work, on its own circuit, until INTRODUCE_ACK.
func introduceOnce(_ client: TorClient, _ target: FloodTarget, _ n: Int) async throws {
    let point = target.introductionPoints[n % target.introductionPoints.count]
    let relay = target.rendezvous[n % target.rendezvous.count]
    guard let legacy = point.linkSpecifiers.compactMap({ spec -> [UInt8]? in
        if case let .legacyID(id) = spec { return id } else { return nil }
    }).first else { throw BenchError("flood: an introduction point without an RSA identity") }
    let extendTarget = ExtendTarget(nickname: "flood intro", linkSpecifiers: point.linkSpecifiers,
                                    rsaIdentity: legacy, ntorOnionKey: point.onionKey)
    let handshake = try HsNtorClient(introductionPoint: point, subcredential: target.keys.subcredential)
    let body = try handshake.introduce1Body(rendezvousCookie: HsNtorClient.makeRendezvousCookie(),
                                            rendezvousOnionKey: relay.microdescriptor.ntorOnionKey,
                                            rendezvousLinkSpecifiers: relay.extendTarget.linkSpecifiers)
    let circuit = try await client.buildCircuit(hops: 3, endingAt: extendTarget)
    defer { circuit.destroy() }
    try circuit.send(RelayMessage(command: .introduce1, data: body), toHop: circuit.hopCount - 1, expecting: [.introduceAck])
    _ = try await circuit.nextMessage(timeout: 20, what: "flood INTRODUCE_ACK")
}

/// The flood: learns the descriptor the honest way (the device is idle then), then `workers` tasks
/// each build a circuit to one of its introduction points and send one INTRODUCE1 without proof of
/// work (a valid handshake, a real rendezvous relay, a cookie nobody waits on), until `seconds` have
/// passed. When the time period changes, the new period's descriptor is learnt (the service
/// publishes new introduction points). Prints "flooding" once the first introduction is
/// acknowledged, a count line every 10 s on stderr, and a JSON line with the totals at the end.
func flood(_ client: TorClient, _ address: OnionAddress, _ options: Options) async throws {
    let state = FloodState(try await learnTarget(client, address, options, known: nil, bound: options.timeout))
    let counter = FloodCounter()
    let started = Date()
    let stop = started.addingTimeInterval(options.seconds)
    await withTaskGroup(of: Void.self) { group in
        for worker in 0..<options.workers {
            group.addTask {
                var n = worker
                while Date() < stop {
                    n += 1
                    do {
                        try await introduceOnce(client, state.target, n)
                        counter.acked()
                        if state.firstAcknowledgement() { say("flooding") }
                    } catch {
                        counter.failed()
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
        }
        group.addTask {
            while Date() < stop {
                try? await Task.sleep(for: .seconds(10))
                let (acked, failed) = counter.value
                complain("flood: \(Int(Date().timeIntervalSince(started))) s, \(acked) introductions acknowledged, \(failed) failed")
            }
        }
        // The service publishes new introduction points for each time period (every few minutes on
        // the private network): follow them within seconds, or the flood stops reaching it.
        group.addTask {
            while Date() < stop {
                try? await Task.sleep(for: .seconds(2))
                guard let (period, _) = try? await currentPeriod(client), period != state.target.period else { continue }
                complain("flood: new time period; learning its descriptor")
                if let fresh = try? await learnTarget(client, address, options, known: state.target.introductionPoints, bound: 30) {
                    state.target = fresh
                    complain("flood: now introducing through the new period's \(fresh.introductionPoints.count) introduction points")
                }
            }
        }
    }
    let (acked, failed) = counter.value
    let seconds = Date().timeIntervalSince(started)
    emit(["mode": .text("flood"), "seconds": .number(seconds), "acked": .number(Double(acked)),
          "failed": .number(Double(failed)), "acked_per_s": .number(Double(acked) / max(seconds, 1)),
          "workers": .number(Double(options.workers))])
}

/// What the client reported while connecting, kept for the result line.
final class ProgressLog: Sendable {
    private let events = Mutex<[ConnectionProgress]>([])
    func append(_ event: ConnectionProgress) { events.withLock { $0.append(event) } }
    var all: [ConnectionProgress] { events.withLock { $0 } }
}

/// One attempt to reach the flooded device: bootstrap ("bootstrapped"), then one request, bounded
/// by --timeout. A request that fails or times out is "not reached" (a result, not an error). The
/// result line carries the efforts tried and each solve's time, read from the progress reports.
func attack(_ client: TorClient, _ address: OnionAddress, _ options: Options) async throws {
    _ = try await client.bootstrap()
    say("bootstrapped")
    let log = ProgressLog()
    _ = await client.addProgressHandler { log.append($0) }
    let started = Date()
    var failure: String?
    do {
        _ = try await withTimeout(options.timeout, error: BenchError("no answer within \(Int(options.timeout)) s")) {
            try await request(client, address, path: options.path, timeout: options.timeout)
        }
        say("first-response")
    } catch {
        failure = "\(error)"
    }
    let seconds = Date().timeIntervalSince(started)
    let events = log.all
    let solving = events.compactMap { event -> Double? in
        guard event.detail.hasPrefix("solving a proof of work, effort ") else { return nil }
        return Double(event.detail.dropFirst("solving a proof of work, effort ".count).prefix { $0.isNumber })
    }
    // "proof of work solved, effort E, in S s"
    let solveTimes = events.compactMap { event -> Double? in
        guard event.detail.hasPrefix("proof of work solved"), event.detail.hasSuffix(" s"),
              let last = event.detail.dropLast(2).split(separator: " ").last else { return nil }
        return Double(last)
    }
    let introductions = events.filter { $0.detail.hasPrefix("introducing through") }.count
    emit(["mode": .text("attack"), "reached": .number(failure == nil ? 1 : 0), "seconds": .number(seconds),
          "efforts": .numbers(solving), "solve_s": .numbers(solveTimes), "introductions": .number(Double(introductions)),
          "error": .text(failure ?? ""),
          "progress": .text(events.map { "\(Int($0.elapsed * 10) / 10).\(Int($0.elapsed * 10) % 10)s \($0.detail)" }
                                  .joined(separator: " | "))])
}
