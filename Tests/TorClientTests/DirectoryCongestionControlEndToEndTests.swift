import Foundation
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import TorProto
import XCTest

/// Congestion control on one-hop directory circuits (proposal 324), end to end against the
/// private network's C tor 0.4.9 relays: the client asks in the ntor v3 handshake when the relay
/// lists FlowCtrl=2 and the consensus has `cc_alg` on, and then the relay sends without stream
/// windows (XON/XOFF) under its Vegas window, which grows only on our authenticated SENDMEs
/// every `sendme_inc` cells: a download of many times its initial 124 cells stalls unless those
/// SENDMEs are right. Every byte is checked: consensuses by their authorities' signatures,
/// microdescriptors by their digests.
final class DirectoryCongestionControlEndToEndTests: XCTestCase {
    struct Fetched {
        var consensuses: [Consensus] = []
        var microdescriptors = 0
        var bytes = 0
    }

    /// `GET path` on a new BEGIN_DIR stream, asking for no compression (so the transfer is large).
    static func get(_ path: String, on circuit: Circuit) async throws -> (body: [UInt8], wire: Int) {
        let stream = try await circuit.openStream(.beginDir, timeout: 30)
        defer { stream.close() }
        try await stream.write(Array("GET \(path) HTTP/1.0\r\nHost: directory\r\n\r\n".utf8))
        let raw = try await withTimeout(60, error: TestNetworkError("\(path) did not arrive within 60 s")) {
            try await stream.readToEnd(limit: 16 << 20)
        }
        let response = try DirectoryResponse(raw)
        guard response.statusCode == 200 else { throw TestNetworkError("\(path): HTTP \(response.statusCode)") }
        return (response.body, raw.count)
    }

    /// Fetches, `rounds` times over `parallel` concurrent streams, the consensus and every
    /// microdescriptor it lists, and checks them.
    func download(on circuit: Circuit, directory: NetDirectory, config: NetworkConfig, rounds: Int, parallel: Int) async throws -> Fetched {
        let certificates = try AuthorityCertificate.parseAll(
            try await Self.get(DirectoryURLs.authorityCertificates(identities: config.trustedIdentities), on: circuit).body)
        let verifier = ConsensusVerifier(authorities: config.v3Authorities, certificates: certificates)
        let digests = directory.consensus.routers.map(\.microdescriptorDigest)
        let microPaths = DirectoryURLs.microdescriptors(digests: digests, batchSize: digests.count)
        var fetched = Fetched()
        for _ in 0..<rounds {
            try await withThrowingTaskGroup(of: (Consensus?, Int, Int).self) { group in
                for index in 0..<parallel {
                    group.addTask {
                        if index % 2 == 0 {
                            let (body, wire) = try await Self.get(DirectoryURLs.consensus(authorities: config.v3Authorities), on: circuit)
                            let consensus = try Consensus(body)
                            _ = try verifier.verify(consensus, now: Date())
                            return (consensus, 0, wire)
                        }
                        var count = 0, wire = 0
                        for path in microPaths {
                            let answer = try await Self.get(path, on: circuit)
                            let batch = try Microdescriptor.parseAll(answer.body, wanted: Set(digests))
                            guard batch.rejected.isEmpty else { throw TestNetworkError("rejected: \(batch.rejected)") }
                            count += batch.descriptors.count
                            wire += answer.wire
                        }
                        return (nil, count, wire)
                    }
                }
                for try await (consensus, count, wire) in group {
                    if let consensus { fetched.consensuses.append(consensus) }
                    fetched.microdescriptors += count
                    fetched.bytes += wire
                }
            }
        }
        return fetched
    }

    /// A directory relay of the network (an authority: they serve BEGIN_DIR) known from the consensus.
    func directoryRelay(_ directory: NetDirectory, _ config: NetworkConfig) throws -> Relay {
        let authorities = Set(config.v3Authorities.map(\.fingerprint))
        return try XCTUnwrap(directory.relays.first { authorities.contains($0.rsaIdentity) }, "an authority in the consensus")
    }

    func testDirectoryDownloadOverANegotiatedCircuitIsIntact() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("dir-cc", network: network)
        let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
        let first = try await client.bootstrap()
        XCTAssertEqual(first.consensusCircuit, "CREATE_FAST, fixed windows", "nothing known yet: no onion key to use")
        XCTAssertTrue(first.supportedProtocols.contains("FlowCtrl=1-2"), first.supportedProtocols)
        let directory = try await client.netDirectory()
        let relay = try directoryRelay(directory, config)
        XCTAssertTrue(relay.supportsCongestionControl, "C tor 0.4.9 lists FlowCtrl=2")
        let parameters = CongestionControlParameters(consensus: directory.consensus.params, path: .directory)
        // On a network whose consensus has cc_alg=0 (`scripts/testnet up --consensus-params cc_alg=0`)
        // the client does not ask, and the circuit keeps fixed windows.
        let expectCongestionControl = parameters.isEnabled

        let circuit = try await client.builder.buildDirectoryCircuit(to: relay, congestionControl: parameters)
        defer { circuit.destroy() }
        XCTAssertEqual(circuit.hopHandshakeTypes, [HandshakeType.ntorV3])
        XCTAssertEqual(circuit.usesCongestionControl(hop: 0), expectCongestionControl)
        if expectCongestionControl {
            XCTAssertEqual(circuit.congestionState(hop: 0)?.sendmeIncrement, parameters.sendmeIncrement, "the relay's cc_sendme_inc")
        }
        let fetched = try await download(on: circuit, directory: directory, config: config, rounds: 6, parallel: 8)
        XCTAssertEqual(fetched.consensuses.count, 24)
        XCTAssertEqual(fetched.microdescriptors, 24 * directory.consensus.routers.count)
        // The relay's Vegas counts every cell in flight until our SENDMEs acknowledge it: past its
        // 124-cell initial window nothing more would come without them.
        XCTAssertGreaterThan(fetched.bytes / 498, 2 * 124, "more than twice the relay's initial congestion window")
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")

        if !expectCongestionControl {
            // Asked anyway (C tor's defaults), a relay whose consensus turns it off does not
            // answer the request: the circuit keeps fixed windows.
            let asked = try await client.builder.buildDirectoryCircuit(to: relay, congestionControl: CongestionControlParameters(path: .directory))
            defer { asked.destroy() }
            XCTAssertFalse(asked.usesCongestionControl(hop: 0))
            let again = try await download(on: asked, directory: directory, config: config, rounds: 2, parallel: 4)
            XCTAssertEqual(again.consensuses.count, 4)
            XCTAssertTrue(asked.isOpen, "\(String(describing: asked.failure))")
        }

        // The client's own refresh: with a consensus held, the directory circuit is ntor v3 and
        // negotiates congestion control with the source relay as C tor's client does. A copy of
        // the cache is used once the network has voted a newer consensus (every 10 s here), so
        // the fetch is not answered "304 Not Modified".
        let copy = makeTemporaryDirectory("dir-cc-later")
        let paths = TorPaths(cacheDirectory: copy.appendingPathComponent("cache"), stateDirectory: copy.appendingPathComponent("state"))
        try FileManager.default.copyItem(at: client.configuration.paths.cacheDirectory, to: paths.cacheDirectory)
        let interval = directory.consensus.freshUntil.timeIntervalSince(directory.consensus.validAfter)
        try await Task.sleep(for: .seconds(min(interval, 60) + 2))
        let later = try makeClient("dir-cc-later", network: network, paths: paths)
        let refreshed = try await later.bootstrap()
        XCTAssertTrue(refreshed.fetchedConsensus, "\(refreshed.warnings)")
        XCTAssertEqual(refreshed.consensusCircuit,
                       expectCongestionControl ? "ntor v3, congestion control (sendme_inc \(parameters.sendmeIncrement))" : "ntor v3, fixed windows")
        await later.shutdown()
        await client.shutdown()
    }

    /// Not asked (an onion-service or intro hop, or `congestionControl` off in the
    /// configuration): the same relay keeps fixed windows (SENDMEs every 100 cells, stream
    /// windows), and the same download arrives intact.
    func testWithoutTheRequestTheCircuitKeepsFixedWindows() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("dir-fixed", network: network)
        let config = try NetworkConfig(parsing: String(contentsOf: network.networkFile, encoding: .utf8))
        _ = try await client.bootstrap()
        let directory = try await client.netDirectory()
        let circuit = try await client.builder.buildDirectoryCircuit(to: try directoryRelay(directory, config), congestionControl: nil)
        defer { circuit.destroy() }
        XCTAssertEqual(circuit.hopHandshakeTypes, [HandshakeType.ntorV3])
        XCTAssertFalse(circuit.usesCongestionControl(hop: 0))
        let fetched = try await download(on: circuit, directory: directory, config: config, rounds: 2, parallel: 4)
        XCTAssertEqual(fetched.consensuses.count, 4)
        XCTAssertEqual(fetched.microdescriptors, 4 * directory.consensus.routers.count)
        XCTAssertTrue(circuit.isOpen, "\(String(describing: circuit.failure))")
        await client.shutdown()
    }
}
