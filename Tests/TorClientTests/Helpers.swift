import Foundation
import OnionService
import Synchronization
import TestSupport
import TorClient
import TorCrypto
import TorDirectory
import XCTest

/// A Tor client for the test network with its own empty cache and state folders.
func makeClient(_ name: String, network: TestNetwork, now: (@Sendable () -> Date)? = nil, paths: TorPaths? = nil) throws -> TorClient {
    let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
    return TorClient(configuration: TorClientConfiguration(network: config, paths: paths ?? temporaryPaths(name)), now: now)
}

/// Cache and state folders in a new temporary directory named after `name` (to start a second
/// client on the same state).
func temporaryPaths(_ name: String) -> TorPaths {
    let base = makeTemporaryDirectory(name)
    return TorPaths(cacheDirectory: base.appendingPathComponent("cache"), stateDirectory: base.appendingPathComponent("state"))
}

/// The client-authorization key the harness wrote for `device`.
func authKey(for device: TestNetwork.Device) throws -> X25519PrivateKey {
    let path = try XCTUnwrap(device.auth_private_file, "\(device.name) has no client-auth key")
    let keys = try ClientAuthDirectory.parseFile(String(contentsOfFile: path, encoding: .utf8))
    return try XCTUnwrap(keys.first?.privateKey)
}

/// A Tor client for `networkText` (a network file's text, e.g. with fallbacks added) with its own
/// empty cache and state folders.
func makeClient(_ name: String, networkText: String) throws -> TorClient {
    TorClient(configuration: TorClientConfiguration(network: try NetworkConfig(parsing: networkText), paths: temporaryPaths(name)))
}

/// The network file of `network` with two fallbacks that fail first, as gone and stale fallbacks
/// do: one whose port is closed, one that is an authority but not the relay its entry names.
func networkTextWithFailingFallbacks(_ network: TestNetwork) throws -> String {
    var text = try String(contentsOf: network.networkFile, encoding: .utf8)
    let closed = try closedLoopbackPort()
    let authorityORPort = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("DirAuthority ") }?
        .split(separator: " ").first { $0.hasPrefix("orport=") }?.dropFirst("orport=".count))
    let wrongIdentity = String(repeating: "AB", count: 20)
    text += "FallbackDir 127.0.0.1:\(closed) orport=\(closed) id=\(wrongIdentity)\n"
    text += "FallbackDir 127.0.0.1:1 orport=\(authorityORPort) id=\(wrongIdentity)\n"
    return text
}

/// A loopback TCP port nothing listens on (bound, read back, released).
func closedLoopbackPort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw TestNetworkError("could not bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Progress reports of one client, collected from its callback (`addProgressHandler`).
final class ProgressLog: Sendable {
    private let events = Mutex<[ConnectionProgress]>([])
    func append(_ event: ConnectionProgress) { events.withLock { $0.append(event) } }
    func clear() { events.withLock { $0.removeAll() } }
    var all: [ConnectionProgress] { events.withLock { $0 } }
    /// Each report as "1.2s phase: detail".
    var lines: [String] { all.map { String(format: "%.1fs %@: %@", $0.elapsed, $0.phase.description, $0.detail) } }
}
