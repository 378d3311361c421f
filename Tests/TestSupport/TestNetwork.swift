import Foundation

/// The private Tor network the end-to-end tests run against (see `scripts/testnet`).
///
/// Reuses a running network when `ONIONCTL_TESTNET_DIR` names one (CI starts it once); otherwise
/// starts one in a temporary folder on first use and tears it down when the test process exits.
public final class TestNetwork: @unchecked Sendable {
    /// A device onion service of the network (from `devices.json`).
    public struct Device: Decodable, Sendable {
        public var name: String
        public var kind: String
        public var onion: String
        public var port: Int
        public var local_port: Int
        public var auth: Bool
        public var auth_private_file: String?
        public var quirks: [String]
        public var state_file: String
        /// For a Minitor-like device (`introdrop`): the seconds after a served introduction in which
        /// its service ignores the next INTRODUCE2, and the JSON-lines log of its `intro-gate`.
        public var intro_drop_window: Double?
        public var intro_gate_log: String?
        /// True for a device whose C tor has proof-of-work defenses on (`pow`, `--pow-device`).
        public var pow: Bool?
    }

    public let directory: URL
    public let devices: [Device]
    public var networkFile: URL { directory.appendingPathComponent("network") }
    public var authDirectory: URL { directory.appendingPathComponent("auth") }

    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Result<TestNetwork, any Error>?
    nonisolated(unsafe) private static var isolatedNetworks: [String: Result<TestNetwork, any Error>] = [:]
    nonisolated(unsafe) private static var ownedDirectories: [String] = []

    /// A network of its own for tests that kill relays or services, so they cannot disturb the
    /// tests sharing ``shared()``. Started on first use, torn down when the process exits.
    /// `devices` is a `scripts/testnet up --devices` spec (default: the harness's devices).
    public static func isolated(_ name: String, devices: String? = nil) throws -> TestNetwork {
        lock.lock()
        defer { lock.unlock() }
        if let existing = isolatedNetworks[name] { return try existing.get() }
        let result = Result { try startOwned(suffix: name, devices: devices) }
        isolatedNetworks[name] = result
        return try result.get()
    }

    /// The shared network, started on first use.
    public static func shared() throws -> TestNetwork {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return try cached.get() }
        let result = Result { try start() }
        cached = result
        return try result.get()
    }

    public func device(_ name: String) throws -> Device {
        guard let device = devices.first(where: { $0.name == name }) else {
            throw TestNetworkError("the test network has no device '\(name)'")
        }
        return device
    }

    /// A brand-new network for one destructive test; call ``stop()`` when the test ends.
    /// `upArguments` go to `scripts/testnet up` (e.g. `["--devices", "", "--minitor-like"]`).
    public static func fresh(_ name: String, upArguments: [String] = []) throws -> TestNetwork {
        lock.lock()
        defer { lock.unlock() }
        return try startOwned(suffix: "\(name)-\(UUID().uuidString.prefix(6))", upArguments: upArguments)
    }

    /// Stops a network started by ``fresh(_:)`` and removes its folder.
    public func stop() {
        _ = try? Self.runHarness(["down", "--dir", directory.path, "--clean"])
        Self.lock.lock()
        Self.ownedDirectories.removeAll { $0 == directory.path }
        Self.lock.unlock()
    }

    private init(directory: URL) throws {
        self.directory = directory
        let data = try Data(contentsOf: directory.appendingPathComponent("devices.json"))
        devices = try JSONDecoder().decode([Device].self, from: data)
    }

    private static func start() throws -> TestNetwork {
        if let existing = ProcessInfo.processInfo.environment["ONIONCTL_TESTNET_DIR"], !existing.isEmpty {
            return try TestNetwork(directory: URL(fileURLWithPath: existing))
        }
        return try startOwned(suffix: "shared")
    }

    private static func startOwned(suffix: String, devices: String? = nil, upArguments: [String] = []) throws -> TestNetwork {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onionctl-testnet-\(getpid())-\(suffix)")
        try? FileManager.default.removeItem(at: directory)
        // C tor networks occasionally come up slowly (a service still fetching microdescriptors when
        // the harness gives up); a second or third attempt on fresh ports is the remedy.
        var output = ""
        for attempt in 1...3 {
            do {
                output = try runHarness(["up", "--dir", directory.path, "--device-bin", try deviceBinary()]
                                        + (devices.map { ["--devices", $0] } ?? []) + upArguments)
                break
            } catch {
                _ = try? runHarness(["down", "--dir", directory.path, "--clean"])
                if attempt == 3 { throw error }
                FileHandle.standardError.write(Data("TestNetwork: up failed (attempt \(attempt) of 3), retrying: \(error)\n".utf8))
            }
        }
        if ownedDirectories.isEmpty {
            atexit {
                for dir in TestNetwork.ownedDirectories { _ = try? TestNetwork.runHarness(["down", "--dir", dir, "--clean"]) }
            }
        }
        ownedDirectories.append(directory.path)
        FileHandle.standardError.write(Data(output.utf8))
        return try TestNetwork(directory: directory)
    }


    /// Runs `scripts/testnet` with `arguments` against this network (e.g. `stop-device NAME`).
    @discardableResult
    public func harness(_ arguments: [String]) throws -> String {
        var full = arguments
        full.insert(contentsOf: ["--dir", directory.path], at: 1)
        return try Self.runHarness(full)
    }

    /// The built onion-device binary: `$ONION_DEVICE_BIN` or the one beside the test bundle.
    public static func deviceBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["ONION_DEVICE_BIN"], !path.isEmpty { return path }
        for configuration in ["debug", "release"] {
            let candidate = repositoryRoot.appendingPathComponent(".build/\(configuration)/onion-device").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestNetworkError("onion-device is not built: run `swift build --build-tests` first (or set ONION_DEVICE_BIN)")
    }

    /// Runs the harness script and returns its standard output; throws with its output on failure.
    @discardableResult
    public static func runHarness(_ arguments: [String]) throws -> String {
        // `up` bounds each of its own waits (about two minutes in all); this is the backstop.
        let run = try runBounded("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/testnet").path] + arguments,
                                 timeout: 300)
        let text = run.stdout + run.stderr
        guard run.status == 0, !run.timedOut else {
            let how = run.timedOut ? "timed out after 300 s" : "failed (\(run.status))"
            throw TestNetworkError("scripts/testnet \(arguments.joined(separator: " ")) \(how):\n\(text)")
        }
        return text
    }
}

public struct TestNetworkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A fresh, empty XDG cache/state location for one test.
public func makeTemporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("onionctl-\(name)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
