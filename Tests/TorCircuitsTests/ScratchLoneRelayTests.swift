import XCTest
import TorCircuits
import TorCrypto
import TorProto

final class ScratchLoneRelayTests: XCTestCase {
    func testLoneRelay() async throws {
        guard let port = ProcessInfo.processInfo.environment["LONE_RELAY_PORT"], let p = UInt16(port) else { return }
        let address = RelayAddress(host: "127.0.0.1", port: p)
        let channel = try await Channel.connect(to: address, expected: ExpectedIdentity(rsaIdentity: nil, name: "lone"))
        let circuit = try await Circuit.createFast(on: channel, name: "lone")
        let stream = try await circuit.openStream(.beginDir)
        try await stream.write(Array("GET /tor/server/authority HTTP/1.0\r\n\r\n".utf8))
        let text = String(decoding: try await stream.readToEnd(limit: 100_000), as: UTF8.self)
        let ntorLine = text.split(separator: "\n").first { $0.hasPrefix("ntor-onion-key ") }!
        let ntorKey = try Base64.decode(String(ntorLine.split(separator: " ")[1]))
        let target = ExtendTarget(nickname: "lone", ipv4: [127, 0, 0, 1], port: p, rsaIdentity: channel.identities.rsaIdentity,
                                  ed25519Identity: channel.identities.ed25519Identity, ntorOnionKey: ntorKey)
        let c2 = try await Circuit.create(on: channel, target: target)
        let s2 = try await c2.openStream(.beginDir)
        try await s2.write(Array("GET /tor/server/authority HTTP/1.0\r\n\r\n".utf8))
        let again = try await s2.readToEnd(limit: 100_000)
        XCTAssertTrue(String(decoding: again, as: UTF8.self).contains("ntor-onion-key"))
        do {
            _ = try await Channel.connect(to: address, expected: ExpectedIdentity(rsaIdentity: [UInt8](repeating: 1, count: 20), name: "bad"))
            XCTFail("expected mismatch")
        } catch { print("mismatch:", error) }
    }
}
