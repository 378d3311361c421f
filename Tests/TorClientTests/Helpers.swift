import Foundation
import OnionService
import TestSupport
import TorClient
import TorCrypto
import TorDirectory
import XCTest

/// A Tor client for the test network with its own empty cache and state folders.
func makeClient(_ name: String, network: TestNetwork, now: (@Sendable () -> Date)? = nil, paths: TorPaths? = nil) throws -> TorClient {
    let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
    let base = makeTemporaryDirectory(name)
    let chosen = paths ?? TorPaths(cacheDirectory: base.appendingPathComponent("cache"), stateDirectory: base.appendingPathComponent("state"))
    return TorClient(configuration: TorClientConfiguration(network: config, paths: chosen), now: now)
}

/// The client-authorization key the harness wrote for `device`.
func authKey(for device: TestNetwork.Device) throws -> X25519PrivateKey {
    let path = try XCTUnwrap(device.auth_private_file, "\(device.name) has no client-auth key")
    let keys = try ClientAuthDirectory.parseFile(String(contentsOfFile: path, encoding: .utf8))
    return try XCTUnwrap(keys.first?.privateKey)
}
