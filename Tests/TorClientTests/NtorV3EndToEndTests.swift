import Foundation
import TestSupport
import TorCircuits
import TorClient
import TorDirectory
import TorProto
import XCTest

/// ntor v3 (CREATE2 type 3) with the private network's C tor 0.4.9 relays, which list `Relay=4`.
final class NtorV3EndToEndTests: XCTestCase {
    /// Every relay of the private network lists ntor v3, so a path through three of them is built
    /// with ntor v3 for the first hop (CREATE2) and both extensions (EXTEND2), and carries a stream.
    func testCircuitToRelay4RelaysUsesNtorV3AndCarriesAStream() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("ntor3", network: network)
        let directory = try await client.netDirectory()
        let chosen = try ["relay1", "relay2", "relay3"].map { name in
            try XCTUnwrap(directory.relays.first { $0.nickname == name }, "no \(name) in the consensus")
        }
        for relay in chosen {
            XCTAssertTrue(relay.status.protocols.supports("Relay", 4), "\(relay.nickname) lists Relay=4")
            XCTAssertEqual(relay.extendTarget.handshakeType, HandshakeType.ntorV3)
        }
        let circuit = try await client.builder.build(path: chosen)
        XCTAssertEqual(circuit.hopHandshakeTypes, [HandshakeType.ntorV3, HandshakeType.ntorV3, HandshakeType.ntorV3])
        try await assertRelayAnswersDirectoryRequest(circuit, lastHop: "relay3")
        circuit.destroy()
        await client.shutdown()
    }

    /// A relay without an Ed25519 identity known (or without `Relay=4`) gets ntor v1; mixing both
    /// on one circuit works.
    func testNtorV1StillWorksForRelaysWithoutV3() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("ntor1", network: network)
        let directory = try await client.netDirectory()
        let first = try XCTUnwrap(directory.relays.first { $0.nickname == "relay1" })
        let second = try XCTUnwrap(directory.relays.first { $0.nickname == "relay2" })
        let circuit = try await client.builder.build(path: [first])
        var v1Target = second.extendTarget
        v1Target.ntorV3Identity = nil
        XCTAssertEqual(v1Target.handshakeType, HandshakeType.ntor)
        try await client.builder.extend(circuit, to: v1Target)
        XCTAssertEqual(circuit.hopHandshakeTypes, [HandshakeType.ntorV3, HandshakeType.ntor])
        try await assertRelayAnswersDirectoryRequest(circuit, lastHop: "relay2")
        circuit.destroy()
        await client.shutdown()
    }

    /// A wrong Ed25519 identity in the ntor v3 onionskin: the relay refuses the extension (it
    /// cannot answer for an identity it does not have), and the circuit reports it.
    func testNtorV3WithWrongIdentityIsRefused() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("ntor3-wrong", network: network)
        let directory = try await client.netDirectory()
        let first = try XCTUnwrap(directory.relays.first { $0.nickname == "relay1" })
        let second = try XCTUnwrap(directory.relays.first { $0.nickname == "relay2" })
        let circuit = try await client.builder.build(path: [first])
        var wrong = second.extendTarget
        wrong.ntorV3Identity = [UInt8](repeating: 7, count: 32)
        do {
            try await circuit.extend(to: wrong, timeout: 20)
            XCTFail("the relay accepted an ntor v3 handshake for another identity")
        } catch {
            XCTAssertFalse(circuit.isOpen, "a failed extension closes the circuit: \(error)")
        }
        await client.shutdown()
    }

    private func assertRelayAnswersDirectoryRequest(_ circuit: Circuit, lastHop name: String) async throws {
        let stream = try await circuit.openStream(.beginDir)
        try await stream.write(DirectoryURLs.httpRequest(path: "/tor/server/authority", host: name))
        let reply = try await withTimeout(60, error: TestNetworkError("\(name) did not answer within 60 s")) {
            try await stream.readToEnd(limit: 1 << 20)
        }
        let answer = String(decoding: reply, as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.0 200"), String(answer.prefix(80)))
        XCTAssertTrue(answer.contains("router \(name) "), "answered by \(name)")
    }
}
