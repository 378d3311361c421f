import TorCompression
import XCTest

final class DecompressorTests: XCTestCase {
    /// Something shaped like a directory document: repeating keywords around random digests and
    /// numbers (it compresses about as well as a real consensus: 3-5 times).
    static let document: [UInt8] = {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        func digest() -> String { String((0..<27).map { _ in alphabet[Int(generator.next() % 64)] }) }
        var text = ""
        for index in 0..<5_000 {
            text += "r relay\(generator.next() % 100_000) \(digest()) 2026-12-03 21:00:00 10.\(generator.next() % 256).\(generator.next() % 256).\(index % 250) \(generator.next() % 65_535) 0\n"
            text += "m \(digest())\(digest())\ns Fast Running Stable Valid\nv Tor 0.4.9.\(generator.next() % 4)\nw Bandwidth=\(generator.next() % 100_000)\n"
        }
        return Array(text.utf8)
    }()
    var document: [UInt8] { Self.document }
    let roomy = DecompressionLimits(maxOutput: 64 << 20)

    private func compressed(_ encoding: ContentEncoding, _ input: [UInt8]) -> [UInt8] {
        switch encoding {
        case .identity: return input
        case .deflate: return Compressors.zlib(input, gzip: false)
        case .gzip: return Compressors.zlib(input, gzip: true)
        case .zstd: return Compressors.zstd(input)
        case .lzma: return Compressors.lzmaAlone(input)
        }
    }

    func testEveryEncodingRoundTripsADirectorySizedDocument() throws {
        for encoding in ContentEncoding.allCases {
            let packed = compressed(encoding, document)
            if encoding != .identity { XCTAssertLessThan(packed.count, document.count / 2, "\(encoding) compresses") }
            XCTAssertEqual(try Decompressor.decompress(packed, encoding: encoding, limits: roomy), document, "\(encoding)")
        }
    }

    /// A decompressed consensus is held for an hour: the array must be its size, not the
    /// capacity a doubling array reached (up to twice it), whether or not the stream stated its size.
    func testTheResultHoldsNoMoreThanItsBytes() throws {
        for encoding in ContentEncoding.allCases where encoding != .identity {
            let result = try Decompressor.decompress(compressed(encoding, document), encoding: encoding, limits: roomy)
            XCTAssertEqual(result, document, "\(encoding)")
            XCTAssertLessThan(result.capacity - result.count, 4096, "\(encoding): capacity \(result.capacity) for \(result.count) bytes")
        }
    }

    func testATruncatedAnswerIsReportedAsTruncatedForEveryCompression() {
        for encoding in ContentEncoding.allCases where encoding != .identity {
            let packed = compressed(encoding, document)
            XCTAssertThrowsError(try Decompressor.decompress(Array(packed.prefix(packed.count / 2)), encoding: encoding, limits: roomy)) {
                XCTAssertEqual($0 as? DecompressionError, .truncated(encoding), "\(encoding)")
            }
        }
    }

    func testDataInTheWrongFormatIsCorruptNotGarbage() {
        let zlib = compressed(.deflate, document)
        XCTAssertThrowsError(try Decompressor.decompress(zlib, encoding: .gzip, limits: roomy)) {
            guard case .corrupt(.gzip, _)? = $0 as? DecompressionError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Decompressor.decompress(zlib, encoding: .zstd, limits: roomy)) {
            guard case .corrupt(.zstd, _)? = $0 as? DecompressionError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Decompressor.decompress(zlib, encoding: .lzma, limits: roomy)) {
            guard case .corrupt(.lzma, _)? = $0 as? DecompressionError else { return XCTFail("\($0)") }
        }
    }

    func testABombIsRefusedAfterOneChunkNotAfterExpanding() {
        let zeros = [UInt8](repeating: 0, count: 20 << 20)
        for encoding in ContentEncoding.allCases where encoding != .identity {
            let bomb = compressed(encoding, zeros)
            XCTAssertLessThan(bomb.count, 200 << 10, "\(encoding)")
            XCTAssertThrowsError(try Decompressor.decompress(bomb, encoding: encoding, limits: roomy)) {
                guard case let .bomb(compressed, decompressed)? = $0 as? DecompressionError else { return XCTFail("\(encoding): \($0)") }
                XCTAssertEqual(compressed, bomb.count)
                // Refused within one chunk of the point where the ratio was first exceeded.
                XCTAssertLessThanOrEqual(decompressed, max(64 << 10, 25 * compressed) + (64 << 10), "\(encoding)")
            }
        }
    }

    func testTheHardCapHoldsEvenAtAnInnocentRatio() {
        for encoding in ContentEncoding.allCases {
            XCTAssertThrowsError(try Decompressor.decompress(compressed(encoding, document), encoding: encoding,
                                                             limits: DecompressionLimits(maxOutput: 256 << 10))) {
                XCTAssertEqual($0 as? DecompressionError, .tooLarge(limit: 256 << 10), "\(encoding)")
            }
        }
    }

    func testAZstdFrameAskingForAHugeWindowIsRefused() {
        var big = [UInt8](repeating: 0, count: 40 << 20)
        for index in stride(from: 0, to: big.count, by: 4096) { big[index] = UInt8(truncatingIfNeeded: index >> 12) }
        let packed = Compressors.zstd(big, windowLog: 27)
        XCTAssertThrowsError(try Decompressor.decompress(packed, encoding: .zstd, limits: DecompressionLimits(maxOutput: 64 << 20, maxRatio: 100_000))) {
            guard case let .corrupt(.zstd, detail)? = $0 as? DecompressionError else { return XCTFail("\($0)") }
            XCTAssertTrue(detail.lowercased().contains("window") || detail.lowercased().contains("memory"), detail)
        }
    }

    func testContentEncodingHeaderValues() throws {
        XCTAssertEqual(try ContentEncoding(headerValue: nil), .identity)
        XCTAssertEqual(try ContentEncoding(headerValue: " X-Zstd "), .zstd)
        XCTAssertEqual(try ContentEncoding(headerValue: "x-tor-lzma"), .lzma)
        XCTAssertEqual(try ContentEncoding(headerValue: "deflate"), .deflate)
        XCTAssertThrowsError(try ContentEncoding(headerValue: "br")) {
            XCTAssertEqual($0 as? DecompressionError, .unknownEncoding("br"))
        }
        XCTAssertEqual(ContentEncoding.acceptHeader.split(separator: ",").count, ContentEncoding.allCases.count)
    }
}

/// A small seeded generator, so the test document is the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
