import XCTest
@testable import TorDirectory
import TorProto

final class DirectoryURLsTests: XCTestCase {
    func testConsensusURL() {
        XCTAssertEqual(DirectoryURLs.consensus(authorities: NetworkConfig.defaultTorNetwork.authorities),
                       "/tor/status-vote/current/consensus-microdesc/0232AF+23D15D+27102B+2F3DF9+49015F+70849B+E8A9C4+ED03BB+F533C8")
        XCTAssertEqual(DirectoryURLs.consensus(authorities: Fixture.testAuthorities, compressed: true),
                       "/tor/status-vote/current/consensus-microdesc/5696AB+5A23BA+7C47DC.z")
        XCTAssertEqual(DirectoryURLs.consensus(authorities: []), "/tor/status-vote/current/consensus-microdesc")
    }

    func testCertificateURLs() {
        let ids = Fixture.testAuthorities.compactMap(\.v3Identity).reversed()
        XCTAssertEqual(DirectoryURLs.authorityCertificates(identities: Array(ids)),
                       "/tor/keys/fp/5696AB38CB3852AFA476A5C07B2D4788963D5567+5A23BA701776C9C1AB1C06E734E92AB3D5350D64+7C47DCB4A90E2C2B7C7AD27BD641D038CF5D7EBE")
        XCTAssertEqual(DirectoryURLs.authorityCertificate(identity: [UInt8](repeating: 0xAB, count: 20),
                                                          signingKeyDigest: [UInt8](repeating: 1, count: 20), compressed: true),
                       "/tor/keys/fp-sk/ABABABABABABABABABABABABABABABABABABABAB-0101010101010101010101010101010101010101.z")
    }

    func testMicrodescriptorBatches() {
        let digests = (0..<200).map { i in [UInt8](repeating: UInt8(i), count: 32) }
        let urls = DirectoryURLs.microdescriptors(digests: digests + digests.prefix(3))
        XCTAssertEqual(urls.count, 3)
        let counts = urls.map { $0.dropFirst("/tor/micro/d/".count).split(separator: "-").count }
        XCTAssertEqual(counts, [67, 67, 66], "200 spread over C tor's minimum of three requests")
        XCTAssertEqual(DirectoryURLs.microdescriptors(digests: digests, batchSize: 92).count, 3)
        // C tor's sizes: at least 32 per request, at most 500 (over BEGIN_DIR), at least 3 requests.
        XCTAssertEqual(DirectoryURLs.microdescriptorBatchSize(for: 10), 10)
        XCTAssertEqual(DirectoryURLs.microdescriptorBatchSize(for: 60), 32)
        XCTAssertEqual(DirectoryURLs.microdescriptorBatchSize(for: 900), 300)
        XCTAssertEqual(DirectoryURLs.microdescriptorBatchSize(for: 8_000), 500)
        XCTAssertTrue(urls.allSatisfy { !$0.contains("=") && $0.hasPrefix("/tor/micro/d/") })
        XCTAssertEqual(DirectoryURLs.microdescriptors(digests: [[UInt8](repeating: 0, count: 32)], compressed: true),
                       ["/tor/micro/d/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.z"])
    }

    func testHSDescriptorAndRequest() {
        let url = DirectoryURLs.hsDescriptor(blindedKey: [UInt8](repeating: 0xff, count: 32))
        XCTAssertEqual(url, "/tor/hs/3/" + String(repeating: "/", count: 42) + "8")
        XCTAssertEqual(url.count - "/tor/hs/3/".count, 43)
        XCTAssertEqual(String(decoding: DirectoryURLs.httpRequest(path: "/tor/keys/all", host: "127.0.0.1:7000"), as: UTF8.self),
                       "GET /tor/keys/all HTTP/1.0\r\nHost: 127.0.0.1:7000\r\nAccept-Encoding: identity\r\n\r\n")
        XCTAssertEqual(String(decoding: DirectoryURLs.httpRequest(path: url, host: "x", acceptEncoding: nil), as: UTF8.self),
                       "GET \(url) HTTP/1.0\r\nHost: x\r\n\r\n")
    }

    func testBase64NoPad() {
        XCTAssertEqual(base64NoPad([]), "")
        XCTAssertEqual(base64NoPad([0x66]), "Zg")
        XCTAssertEqual(base64NoPad([0x66, 0x6f]), "Zm8")
        XCTAssertEqual(base64NoPad([0x66, 0x6f, 0x6f]), "Zm9v")
    }
}
