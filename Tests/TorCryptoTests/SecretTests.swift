import XCTest
@testable import TorCrypto

final class SecretTests: XCTestCase {
    func testSecretBytes() {
        let s = SecretBytes([1, 2, 3, 4])
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.withUnsafeBytes { Array($0) }, [1, 2, 3, 4])
        let empty = SecretBytes([])
        XCTAssertEqual(empty.count, 0)
        XCTAssertEqual(empty.withUnsafeBytes { $0.count }, 0)
        let filled = SecretBytes(count: 3) { buf in buf.copyBytes(from: [9, 8, 7]) }
        XCTAssertEqual(filled.bytes, [9, 8, 7])
    }

    func testSecureRandom() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals([], []))
        XCTAssertTrue(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertFalse(constantTimeEquals([], [0]))
    }

    func testErrorsDescribeThemselves() {
        XCTAssertEqual(CryptoError.invalidKeyLength(expected: 32, got: 3).description,
                       "invalid key length: expected 32 bytes, got 3")
        XCTAssertFalse(CryptoError.allZeroSharedSecret.description.isEmpty)
    }

    // Keys can be shared across tasks (Sendable) and used concurrently.
    func testConcurrentUse() async throws {
        let key = try Ed25519PrivateKey(seed: hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let want = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        let results = await withTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 { group.addTask { key.sign([]) } }
            var all: [[UInt8]] = []
            for await r in group { all.append(r) }
            return all
        }
        XCTAssertEqual(results.count, 8)
        for r in results { XCTAssertBytes(r, want) }  // RFC 8032 TEST 1
    }
}
