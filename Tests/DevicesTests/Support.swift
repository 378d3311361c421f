import Foundation
import OnionService
import TestSupport
import TorCrypto
import XCTest

/// The built onionctl binary (built by `swift build --build-tests`).
func onionctlBinary() throws -> String {
    for configuration in ["debug", "release"] {
        let candidate = TestNetwork.repositoryRoot.appendingPathComponent(".build/\(configuration)/onionctl").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw XCTSkip("onionctl is not built: run swift build --build-tests")
}

struct RunResult {
    var code: Int32
    var stdout: String
    var stderr: String
}

/// A temporary XDG home for onionctl processes.
struct Sandbox {
    let root: URL
    var config: URL { root.appendingPathComponent("config") }
    var bookDirectory: URL { config.appendingPathComponent("onionctl") }

    init(_ name: String) { root = makeTemporaryDirectory(name) }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = config.path
        env["XDG_CACHE_HOME"] = root.appendingPathComponent("cache").path
        env["XDG_STATE_HOME"] = root.appendingPathComponent("state").path
        env["ONIONCTL_CONFIG_DIR"] = nil
        env["ONIONCTL_NETWORK"] = nil
        return env
    }

    /// Runs onionctl with `arguments`; kills it after `timeout` seconds.
    @discardableResult
    func run(_ arguments: [String], timeout: Double = 180, closedStdout: Bool = false) throws -> RunResult {
        let run = try runBounded(try onionctlBinary(), arguments, environment: environment, timeout: timeout,
                                 closedStdout: closedStdout)
        return RunResult(code: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}

/// A valid v3 onion address nobody publishes.
func randomOnionAddress() throws -> OnionAddress {
    try OnionAddress(publicKey: Ed25519PrivateKey.generate().publicKey)
}
