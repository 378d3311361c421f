import XCTest
@testable import TorDirectory
import TorProto

final class NetworkConfigTests: XCTestCase {
    static let privateNetwork = """
        # private test network on loopback
        TestingTorNetwork 1

        DirAuthority test000a orport=5000 no-v2 v3ident=5A23BA701776C9C1AB1C06E734E92AB3D5350D64 127.0.0.1:7000 3EE406C7F87C1D9E651193386A0E8329B4706CA6
        DirAuthority test001a orport=5001 no-v2 v3ident=5696AB38CB3852AFA476A5C07B2D4788963D5567 ipv6=[::1]:5001 127.0.0.1:7001 463B A575 4FEE 6621 67CB 0388 34CF C1A3 F265 D974
        DirAuthority test002a orport=5002 no-v2 v3ident=7C47DCB4A90E2C2B7C7AD27BD641D038CF5D7EBE 127.0.0.1:7002 0A3057AF2910415794D8EA430309D9AC5F5D524B  # trailing comment
        FallbackDir 127.0.0.1:7003 orport=5003 id=5B1203DA06AEDAFBC7C8AED1860C1C0FDEB28727
        FallbackDir 127.0.0.1 orport=5004 id=A1D6103DE0CB295EC9EC4A14BD79E4028578792 ipv6=[::1]:5004
        """

    func testPrivateNetworkFile() throws {
        // The last fallback id is 39 hex digits: fix it for the good case.
        let text = Self.privateNetwork.replacingOccurrences(of: "A1D6103DE0CB295EC9EC4A14BD79E4028578792", with: "A1D6103DE0CB295EC9EC4A14BD79E40285787922")
        let config = try NetworkConfig(parsing: text)
        XCTAssertTrue(config.testingTorNetwork)
        XCTAssertEqual(config.authorities.map(\.nickname), ["test000a", "test001a", "test002a"])
        let a1 = config.authorities[1]
        XCTAssertEqual(a1.orPort, 5001)
        XCTAssertEqual(a1.dirPort, 7001)
        XCTAssertEqual(a1.address, "127.0.0.1")
        XCTAssertEqual(upperHex(a1.fingerprint), "463BA5754FEE662167CB038834CFC1A3F265D974")
        XCTAssertEqual(a1.v3Identity.map(upperHex), "5696AB38CB3852AFA476A5C07B2D4788963D5567")
        XCTAssertEqual(a1.ipv6, IPv6Endpoint(address: "::1", port: 5001))
        XCTAssertEqual(config.fallbacks.count, 2)
        XCTAssertEqual(config.fallbacks[0].dirPort, 7003)
        XCTAssertEqual(config.fallbacks[1].ipv6?.port, 5004)
        XCTAssertEqual(config.trustedIdentities.count, 3)
        XCTAssertTrue(config.networkID.hasPrefix("net-"))
        XCTAssertEqual(try NetworkConfig(parsing: config.fileText), config)
        // CRLF line endings work too.
        XCTAssertEqual(try NetworkConfig(parsing: text.replacingOccurrences(of: "\n", with: "\r\n")), config)
    }

    func testErrorsNameTheLine() throws {
        // Line 8: 39-digit fallback id.
        XCTAssertThrowsError(try NetworkConfig(parsing: Self.privateNetwork)) { error in
            XCTAssertTrue("\(error)".hasPrefix("line 8: FallbackDir: bad id"), "\(error)")
        }
        let typo = Self.privateNetwork.replacingOccurrences(of: "FallbackDir 127.0.0.1:7003", with: "FalbackDir 127.0.0.1:7003")
        XCTAssertThrowsError(try NetworkConfig(parsing: typo)) { error in
            XCTAssertEqual(error as? NetworkConfigError, .unknownKeyword(line: 7, keyword: "FalbackDir"))
            XCTAssertTrue("\(error)".contains("line 7"))
        }
        let badOption = "DirAuthority a orprot=1 v3ident=5A23BA701776C9C1AB1C06E734E92AB3D5350D64 127.0.0.1:7000 3EE406C7F87C1D9E651193386A0E8329B4706CA6"
        XCTAssertThrowsError(try NetworkConfig(parsing: badOption)) { error in
            XCTAssertEqual("\(error)", "line 1: DirAuthority: unknown option 'orprot=1'")
        }
        XCTAssertThrowsError(try NetworkConfig(parsing: "TestingTorNetwork yes\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("line 1:"))
        }
        XCTAssertThrowsError(try NetworkConfig(parsing: "# nothing\n")) { error in
            XCTAssertEqual(error as? NetworkConfigError, .noAuthorities)
        }
        XCTAssertThrowsError(try DirAuthority(parsing: "x orport=1 127.0.0.1:7 ABCD", line: 3))
        XCTAssertThrowsError(try DirAuthority(parsing: "x orport=1 v3ident=12 127.0.0.1:7 3EE406C7F87C1D9E651193386A0E8329B4706CA6"))
        XCTAssertThrowsError(try FallbackDir(parsing: "1.2.3.4 id=3EE406C7F87C1D9E651193386A0E8329B4706CA6"))
    }

    func testDefaultNetwork() throws {
        let net = NetworkConfig.defaultTorNetwork
        XCTAssertEqual(net.authorities.count, 9)
        XCTAssertEqual(net.v3Authorities.count, 9)
        XCTAssertGreaterThanOrEqual(net.fallbacks.count, 100)
        XCTAssertFalse(net.testingTorNetwork)
        XCTAssertEqual(net.networkID, "tor")
        XCTAssertEqual(Set(net.fallbacks.map(\.rsaIdentity)).count, net.fallbacks.count)
        XCTAssertTrue(net.fallbacks.contains { $0.ipv6 != nil })
        let moria1 = try XCTUnwrap(net.authorities.first { $0.nickname == "moria1" })
        XCTAssertEqual(moria1.dirPort, 9231)
        XCTAssertEqual(moria1.orPort, 9201)
        XCTAssertEqual(upperHex(moria1.fingerprint), "1A25C6358DB91342AA51720A5038B72742732498")
        // Cross-check against the dir-source lines of the live consensus.
        let live = try Consensus(Fixture.bytes("live-consensus-microdesc"))
        XCTAssertEqual(Set(live.dirSources.map(\.identity)), Set(net.trustedIdentities))
        for source in live.dirSources {
            let auth = try XCTUnwrap(net.authorities.first { $0.v3Identity == source.identity })
            XCTAssertEqual(auth.nickname, source.nickname)
            XCTAssertEqual(auth.address, source.address)
            XCTAssertEqual(auth.dirPort, source.dirPort)
            XCTAssertEqual(auth.orPort, source.orPort)
        }
        // Its file form parses back.
        XCTAssertEqual(try NetworkConfig(parsing: net.fileText), net)
    }
}
