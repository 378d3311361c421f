// onionctl-bench: ONE measurement of the embedded Tor client per process, so that peak RSS
// (VmHWM) and CPU seconds belong to that measurement alone. Benchmarks/run drives it, alternating
// with C tor + curl on the same private network, and prints the comparison.
//
//   onionctl-bench cold|warm   --network F --auth-dir D --onion X [--path P] --cache DIR
//   onionctl-bench roundtrip   ... [--count 200]         one new stream per request, one circuit
//   onionctl-bench download    ... [--bytes 10485760]    GET /test/blob?bytes=N
//   onionctl-bench upload      ... [--bytes 1048576]     POST /test/echo (the body comes back)
//   onionctl-bench scale       ... --onion A,B,C         N services at once, after bootstrap
//   onionctl-bench flood|attack ...                       a device under attack (Attack.swift)
//   onionctl-bench restart     ...                       the next request after a device reboot (Restart.swift)
//   onionctl-bench bootstrap   --network F --cache DIR   cold bootstrap + first circuit (Bootstrap.swift)
//
// `cold` and `bootstrap` empty the cache and state folders first; every other mode uses them as they are.
// Prints "first-response" on stdout the moment the first response is in (the driver times it),
// then one JSON line with the results. Exit 1 with a message on stderr on failure.
import Devices
import Dispatch
// FoundationEssentials only (no JSONSerialization / FileHandle / Thread here), so that the probe
// itself never pulls in full Foundation (+ ICU) once the client libraries stop importing it.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OnionService
import TorCircuits
import TorClient
import TorCrypto
import TorDirectory
#if canImport(Glibc)
import Glibc
#endif

let mainStarted = Date()
ProcessMemory.configureForLongRunning()  // as the onionctl executable does

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

struct Options {
    var mode = ""
    var network = ""
    var authDir: String?
    var onions: [String] = []
    var path = "/api/v1/thermostat"
    var cache = ""
    var count = 200
    var bytes = 0
    var timeout: Double = 120
    var streams = 1
    /// `--cc on|off`: ask services for congestion control (default on).
    var congestionControl = true
    /// `--pow on|off`: solve onion-service proofs of work (default on).
    var proofOfWork = true
    /// flood: how long to flood (`--seconds`) and with how many concurrent introductions (`--workers`).
    var seconds: Double = 60
    var workers = 12
    /// `--vanguards on|off`: vanguards-lite, 4-hop HSDir and introduction circuits (default on).
    var vanguards = true

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        guard let mode = iterator.next() else { throw BenchError("usage: onionctl-bench MODE --network F --onion X --cache DIR ...") }
        self.mode = mode
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--network": network = value
            case "--auth-dir": authDir = value
            case "--onion": onions += value.split(separator: ",").map(String.init)
            case "--path": path = value
            case "--cache": cache = value
            case "--count": count = Int(value) ?? -1
            case "--bytes": bytes = Int(value) ?? -1
            case "--timeout": timeout = Double(value) ?? -1
            case "--streams": streams = Int(value) ?? -1
            case "--seconds": seconds = Double(value) ?? -1
            case "--workers": workers = Int(value) ?? -1
            case "--pow":
                guard value == "on" || value == "off" else { throw BenchError("--pow takes on or off") }
                proofOfWork = value == "on"
            case "--cc":
                guard value == "on" || value == "off" else { throw BenchError("--cc takes on or off") }
                congestionControl = value == "on"
            case "--vanguards":
                guard value == "on" || value == "off" else { throw BenchError("--vanguards takes on or off") }
                vanguards = value == "on"
            default: throw BenchError("unknown option \(flag)")
            }
        }
        guard !network.isEmpty, !cache.isEmpty, !onions.isEmpty || mode == "bootstrap" else {
            throw BenchError("--network, --cache and --onion are required")
        }
        guard count > 0, count <= 100_000, bytes >= 0, timeout > 0, streams > 0, streams <= 64, seconds > 0, seconds <= 3600,
              workers > 0, workers <= 64 else { throw BenchError("bad --count/--bytes/--timeout") }
    }
}

/// Peak resident set (VmHWM, kB) and CPU seconds (user, system) of this process.
func resourceUsage() -> [String: Double] {
    var result = [String: Double]()
    let fields = ["VmHWM:": "peak_rss_kb", "RssAnon:": "rss_anon_kb", "RssFile:": "rss_file_kb"]
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let key = fields[String(parts[0])] { result[key] = Double(parts[1]) ?? 0 }
        }
    }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    result["cpu_user_s"] = seconds(usage.ru_utime)
    result["cpu_sys_s"] = seconds(usage.ru_stime)
    return result
}

/// Values emit() can write as JSON.
enum JSONValue {
    case number(Double), text(String), numbers([Double])

    var encoded: String {
        func num(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
        switch self {
        case let .number(value): return num(value)
        case let .text(value):
            var escaped = ""
            for character in value {
                if character == "\\" || character == "\"" { escaped.append("\\") }
                escaped.append(character)
            }
            return "\"" + escaped + "\""
        case let .numbers(values): return "[" + values.map(num).joined(separator: ",") + "]"
        }
    }
}

/// One JSON line on stdout: the results plus this process's peak RSS and CPU time.
func emit(_ object: [String: JSONValue]) {
    var full = object
    for (key, value) in resourceUsage() { full[key] = .number(value) }
    say("{" + full.keys.sorted().map { "\"\($0)\":\(full[$0]!.encoded)" }.joined(separator: ",") + "}")
}

func writeAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written <= 0 { return }
        offset += written
    }
}

/// A line on stdout, unbuffered (the driver timestamps "first-response" as it arrives).
func say(_ line: String) { writeAll(1, line + "\n") }

func complain(_ line: String) { writeAll(2, "onionctl-bench: " + line + "\n") }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    // Nearest rank: the smallest value with at least p % of the values at or below it.
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank - 1, 0), sorted.count - 1)]
}

func makeClient(_ options: Options, fresh: Bool) throws -> TorClient {
    let cache = URL(fileURLWithPath: options.cache)
    if fresh { try? FileManager.default.removeItem(at: cache) }
    let text = try String(contentsOfFile: options.network, encoding: .utf8)
    var config = TorClientConfiguration(
        network: try NetworkConfig(parsing: text),
        paths: TorPaths(cacheDirectory: cache.appendingPathComponent("cache"), stateDirectory: cache.appendingPathComponent("state")),
        congestionControl: options.congestionControl)
    if !options.proofOfWork { config.proofOfWorkBudget = .zero }
    config.vanguardsLite = options.vanguards
    return TorClient(configuration: config)
}

/// "congestion control (Vegas, XON/XOFF)" or "fixed windows": what the rendezvous circuit to `address` runs.
func negotiatedMode(_ client: TorClient, _ address: OnionAddress) async -> String {
    guard let circuit = await client.openCircuit(to: address) else { return "no circuit" }
    return circuit.usesCongestionControl(hop: circuit.hopCount - 1) ? "congestion control (Vegas, XON/XOFF)" : "fixed windows"
}

func addKeys(_ client: TorClient, _ options: Options, _ addresses: [OnionAddress]) async throws {
    guard let authDir = options.authDir else { return }
    let directory = try ClientAuthDirectory(directory: URL(fileURLWithPath: authDir))
    for address in addresses {
        if let key = directory.key(for: address) { await client.setClientAuthKey(key.privateKey, for: address) }
    }
}

/// One request on a new stream of the service's (kept) rendezvous circuit.
func request(_ client: TorClient, _ address: OnionAddress, method: String = "GET", path: String, body: [UInt8] = [],
             maxBody: Int = 16 << 20, timeout: Double) async throws -> HTTPResponse {
    let stream = try await client.connect(to: address, port: 80)
    defer { stream.close() }
    var headers = [(String, String)]()
    if !body.isEmpty { headers.append(("Content-Type", "application/octet-stream")) }
    let request = HTTPRequest(method: method, path: path, host: address.description, headers: headers, body: body)
    let response = try await HTTPClient(timeout: timeout, maxBodyBytes: maxBody).send(request, over: stream)
    guard response.status == 200 else { throw BenchError("\(method) \(path): HTTP \(response.status)") }
    return response
}

func blobByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 31 &+ (index >> 8)) }

func run(_ options: Options) async throws {
    if options.mode == "bootstrap" { return try await coldBootstrap(options) }
    let addresses = try options.onions.map { try OnionAddress($0) }
    let first = addresses[0]
    let client = try makeClient(options, fresh: options.mode == "cold")
    try await addKeys(client, options, addresses)
    let timeout = options.timeout
    defer { _ = client }

    switch options.mode {
    case "cold", "warm":
        let steps = StepLog()
        _ = await client.addProgressHandler { steps.append($0) }
        let started = Date()
        let response = try await request(client, first, path: options.path, timeout: timeout)
        let seconds = Date().timeIntervalSince(started)
        say("first-response")
        emit(["mode": .text(options.mode), "seconds": .number(seconds), "steps": .text(steps.all.joined(separator: " | ")),
              "seconds_since_main": .number(Date().timeIntervalSince(mainStarted)), "body_bytes": .number(Double(response.body.count))])

    case "roundtrip":
        _ = try await request(client, first, path: options.path, timeout: timeout)
        say("first-response")
        var times = [Double]()
        for _ in 0..<options.count {
            let started = Date()
            _ = try await request(client, first, path: options.path, timeout: timeout)
            times.append(Date().timeIntervalSince(started))
        }
        let circuit = await client.openCircuit(to: first)
        emit(["mode": .text("roundtrip"), "count": .number(Double(times.count)), "median_s": .number(percentile(times, 50)),
              "p99_s": .number(percentile(times, 99)), "max_s": .number(times.max() ?? 0), "times_s": .numbers(times),
              "circuit_hops": .number(Double(circuit?.hopCount ?? 0))])

    case "download":
        let size = options.bytes > 0 ? options.bytes : 10 << 20
        _ = try await request(client, first, path: options.path, timeout: timeout)
        say("first-response")
        // --streams N (a diagnostic): N concurrent streams on the one circuit, size / N bytes each.
        let part = size / options.streams
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<options.streams {
                group.addTask {
                    let response = try await request(client, first, path: "/test/blob?bytes=\(part)", maxBody: part, timeout: timeout)
                    guard response.body.count == part else { throw BenchError("download: \(response.body.count) of \(part) bytes") }
                    for index in stride(from: 0, to: part, by: 4093) where response.body[index] != blobByte(index) {
                        throw BenchError("download: byte \(index) differs from the pattern")
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Date().timeIntervalSince(started)
        let moved = part * options.streams
        let counts = await client.openCircuit(to: first)?.flowControlCounts ?? FlowControlCounts()
        emit(["mode": .text("download"), "flow_control": .text(await negotiatedMode(client, first)),
              "xoff_sent": .number(Double(counts.xoffSent)), "xon_sent": .number(Double(counts.xonSent)),
              "bytes": .number(Double(moved)), "streams": .number(Double(options.streams)),
              "seconds": .number(seconds), "mbit_s": .number(Double(moved) * 8 / seconds / 1e6)])

    case "upload":
        let size = options.bytes > 0 ? options.bytes : 1 << 20
        _ = try await request(client, first, path: options.path, timeout: timeout)
        say("first-response")
        var body = [UInt8](repeating: 0, count: size)
        for index in body.indices { body[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 3) }
        let started = Date()
        let response = try await request(client, first, method: "POST", path: "/test/echo", body: body, maxBody: size, timeout: timeout)
        let seconds = Date().timeIntervalSince(started)
        guard response.body == body else { throw BenchError("upload: echo differs (\(response.body.count) bytes back)") }
        emit(["mode": .text("upload"), "flow_control": .text(await negotiatedMode(client, first)),
              "bytes": .number(Double(size)), "seconds": .number(seconds),
              "mbit_s": .number(Double(size) * 8 / seconds / 1e6)])

    case "scale":
        let bootStarted = Date()
        _ = try await client.bootstrap()
        let bootstrapSeconds = Date().timeIntervalSince(bootStarted)
        say("bootstrapped")
        let started = Date()
        let perDevice = try await withThrowingTaskGroup(of: Double.self) { group in
            for address in addresses {
                group.addTask {
                    _ = try await request(client, address, path: options.path, timeout: timeout)
                    return Date().timeIntervalSince(started)
                }
            }
            var done = [Double]()
            for try await seconds in group { done.append(seconds) }
            return done
        }
        let seconds = Date().timeIntervalSince(started)
        say("first-response")
        emit(["mode": .text("scale"), "devices": .number(Double(addresses.count)), "seconds": .number(seconds),
              "bootstrap_s": .number(bootstrapSeconds), "per_device_s": .numbers(perDevice.sorted()),
              "seconds_since_main": .number(Date().timeIntervalSince(mainStarted))])

    case "flood":
        try await flood(client, first, options)

    case "attack":
        try await attack(client, first, options)

    case "restart":
        try await restart(client, first, options)

    default:
        throw BenchError("unknown mode \(options.mode) (cold, warm, roundtrip, download, upload, scale, bootstrap, flood, attack, restart)")
    }
    await client.shutdown()
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    // A hard ceiling on the whole process, whatever hangs.
    // flood runs --seconds beyond its first request; attack bootstraps before its bounded request.
    // restart waits for the driver's reboot of the device between its two requests.
    let bound = options.timeout + (options.mode == "flood" ? options.seconds : 0) + (options.mode == "attack" ? 90 : 0)
        + (options.mode == "restart" ? options.timeout + restartDriverBound : 0)
    let ceiling = bound + 60
    DispatchQueue.global().asyncAfter(deadline: .now() + ceiling) {
        complain("gave up after \(Int(ceiling)) s")
        exit(3)
    }
    try await withTimeout(bound, error: BenchError("\(options.mode): no result within \(Int(bound)) s")) {
        try await run(options)
    }
} catch {
    complain("\(error)")
    exit(1)
}
