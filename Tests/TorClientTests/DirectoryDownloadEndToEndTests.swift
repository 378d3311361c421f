import Foundation
import TestSupport
import TorCircuits
import TorClient
import TorCompression
import TorDirectory
import XCTest

/// Issue 12, end to end against C tor 0.4.9 directory servers: compressed answers in every
/// encoding they offer, and a consensus refreshed through a diff.
final class DirectoryDownloadEndToEndTests: XCTestCase {
    func testTheConsensusArrivesIntactInEveryCompressionCTorServes() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("encodings", network: network)
        let directory = try await client.netDirectory()
        let relay = try XCTUnwrap(directory.relays.first { $0.nickname == "relay1" })
        let circuit = try await client.builder.build(path: [relay])
        let path = DirectoryURLs.consensus(authorities: [])
        for encoding in ContentEncoding.allCases {
            let stream = try await circuit.openStream(.beginDir)
            try await stream.write(DirectoryURLs.httpRequest(path: path, host: "relay1", acceptEncoding: "\(encoding), identity"))
            let raw = try await withTimeout(60, error: TestNetworkError("relay1 did not answer within 60 s")) {
                try await stream.readToEnd(limit: 4 << 20)
            }
            stream.close()
            let response = try DirectoryResponse(raw)
            XCTAssertEqual(response.statusCode, 200)
            let answered = try ContentEncoding(headerValue: response.headers["content-encoding"])
            // C tor keeps the consensus precompressed in deflate, zstd and lzma only: asked for gzip
            // it answers deflate (which a client must then decode, as onionctl offers both anyway).
            XCTAssertEqual(answered, encoding == .gzip ? .deflate : encoding, "C tor answered in the encoding offered")
            let text = try Decompressor.decompress(response.body, encoding: answered, limits: DecompressionLimits(maxOutput: 4 << 20))
            let consensus = try Consensus(text)
            XCTAssertEqual(consensus.routers.count, 8, "\(encoding)")
            if encoding != .identity { XCTAssertLessThan(response.body.count, text.count, "\(encoding) is smaller on the wire") }
        }
        circuit.destroy()
        await client.shutdown()
    }

    func testARefreshComesAsADiffFromTheHeldConsensusAndVerifies() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("diff", network: network)
        let cold = try await client.bootstrap()
        XCTAssertFalse(cold.consensusFromDiff, "nothing was held to diff from")
        XCTAssertGreaterThan(cold.bytesDownloaded, 0)
        // The network votes every 10 s. A server answers with the whole document while it has not yet
        // computed the diff to its newest consensus, so a few refreshes are allowed (bounded).
        var refreshes = [BootstrapReport]()
        var validAfter = cold.validAfter
        for _ in 0..<8 {
            try await Task.sleep(for: .seconds(max(1, cold.freshUntil.timeIntervalSince(cold.validAfter))))
            let report = try await client.bootstrap()
            XCTAssertGreaterThanOrEqual(report.validAfter, validAfter, "never an older consensus")
            validAfter = report.validAfter
            refreshes.append(report)
            if report.consensusFromDiff { break }
        }
        let diffed = try XCTUnwrap(refreshes.last { $0.consensusFromDiff }, "no refresh came as a diff: \(refreshes.map(\.warnings))")
        XCTAssertTrue(diffed.fetchedConsensus)
        XCTAssertGreaterThan(diffed.validAfter, cold.validAfter)
        XCTAssertGreaterThanOrEqual(diffed.signedBy.count, 2, "the diffed consensus was verified like any other")
        XCTAssertTrue(diffed.warnings.isEmpty, "\(diffed.warnings)")
        await client.shutdown()
    }

    /// A fallback that is gone (closed port) and one that is not the relay its entry names (wrong
    /// identity) are tried first, as fallbacks are; the bootstrap goes on to the authorities.
    func testBootstrapGoesOnPastFallbacksThatAreGoneOrNotWhoTheySay() async throws {
        let network = try TestNetwork.shared()
        let client = try makeClient("fallbacks-client", networkText: try networkTextWithFailingFallbacks(network))
        let told = Messages()
        await client.directory.setProgressHandler { told.append($0) }
        let report = try await client.bootstrap()
        XCTAssertTrue(report.consensusSource.hasPrefix("authority "), report.consensusSource)
        let failures = told.all.filter { $0.hasPrefix("consensus from fallback 127.0.0.1:") && $0.contains("failed") }
        XCTAssertEqual(failures.count, 2, "\(told.all)")
        XCTAssertTrue(report.warnings.contains { $0.contains("after 2 failed source(s)") }, "\(report.warnings)")
        await client.shutdown()
    }
}

/// Progress sentences collected from another task.
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages = [String]()
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
