import XCTest
import TorCrypto
@testable import TorProto

/// tor1 relay-cell crypto (tor-spec §5.5, §6.1) over three hops.
///
/// Source: arti `crates/tor-proto/src/crypto/cell/tor1.rs` fn `testvec` + the expected cells in
/// `crates/tor-proto/testdata/cell_crypt.rs` (see `Tor1CellCryptVectors.swift`); key material
/// from C tor `src/test/test_relaycrypt.c`. Each K is 92 bytes: `Df[20] Db[20] Kf[16] Kb[16]`
/// followed by a 20-byte circuit-binding key (the "KH" part) that tor1 does not use.
final class RelayCryptoVectorTests: XCTestCase {
    static let k1 = Array("    'My public key is in this signed x509 object', said Tom assertively.      (N-PREG-VIRYL)".utf8)
    static let k2 = Array("'Let's chart the pedal phlanges in the tomb', said Tom cryptographically.  (PELCG-GBR-TENCU)".utf8)
    static let k3 = Array("     'Segmentation fault bugs don't _just happen_', said Tom seethingly.        (P-GUVAT-YL)".utf8)
    static let seed = Array("'You mean to tell me that there's a version of Sha-3 with no limit on the output length?', said Tom shakily.".utf8)

    /// Client-side layers for hops 1, 2, 3.
    func clientLayers() throws -> [RelayCryptoLayer] {
        try [Self.k1, Self.k2, Self.k3].map { try RelayCryptoLayer(keys: HopKeys(tor1Material: Array($0[0..<72]))) }
    }

    /// The relay's view of the same hop: what it decrypts with Kf/Df the client encrypted with,
    /// and it originates inbound with Kb/Db. Modelled as a layer with the directions swapped.
    func relayLayers() throws -> [RelayCryptoLayer] {
        try [Self.k1, Self.k2, Self.k3].map { material in
            var keys = HopKeys(tor1Material: Array(material[0..<72]))
            swap(&keys.forwardDigestSeedSecret, &keys.backwardDigestSeedSecret)
            swap(&keys.forwardKeySecret, &keys.backwardKeySecret)
            return try RelayCryptoLayer(keys: keys)
        }
    }

    /// The plaintext of cell `n`: DATA on stream 1, length 498, body from SHAKE-256(SEED).
    func plaintextCells(count: Int) -> [[UInt8]] {
        let stream = Hash.shake256(Self.seed, outputLength: count * 498)
        return (0..<count).map { cellNumber in
            var body = [UInt8](repeating: 0, count: 509)
            body[0] = 2      // command: data
            body[4] = 1      // stream ID: 1
            body[9] = 1      // length: 498
            body[10] = 242
            body.replaceSubrange(11..<509, with: stream[(cellNumber * 498)..<((cellNumber + 1) * 498)])
            return body
        }
    }

    func testKeyMaterialShapes() {
        XCTAssertEqual(Self.k1.count, 92)
        XCTAssertEqual(Self.k2.count, 92)
        XCTAssertEqual(Self.k3.count, 92)
        XCTAssertEqual(Self.seed.count, 108)
        XCTAssertEqual(Tor1CellCryptVectors.cells.map(\.0), [0, 1, 2, 10, 20, 30, 40, 50])
    }

    /// Reproduces all 8 expected cells (0, 1, 2, 10, 20, 30, 40, 50) of the 51 sent to hop 3.
    func testOutboundToHop3MatchesTorVectors() throws {
        let layers = try clientLayers()
        let expected = Dictionary(uniqueKeysWithValues: Tor1CellCryptVectors.cells.map { ($0.0, hex($0.1)) })
        var matched = 0
        for (cellNumber, plaintext) in plaintextCells(count: 51).enumerated() {
            var cell = plaintext
            let tag = layers[2].sealOutbound(&cell)
            XCTAssertEqual(tag.count, 20)
            XCTAssertEqual(Array(tag.prefix(4)), Array(cell[5..<9]))
            layers[2].encryptOutbound(&cell)
            layers[1].encryptOutbound(&cell)
            layers[0].encryptOutbound(&cell)
            if let want = expected[cellNumber] {
                XCTAssertEqual(hexString(cell), hexString(want), "cell \(cellNumber)")
                matched += 1
            }
        }
        XCTAssertEqual(matched, 8)
    }

    /// The relays peel the official ciphertexts: only hop 3 recognizes them, and the plaintext
    /// (with C tor's digest) comes back. Exercises `decryptInbound`/`isRecognized` on C tor data.
    func testRelaysRecognizeTorVectorCellsOnlyAtHop3() throws {
        let relays = try relayLayers()
        let clients = try clientLayers()
        let expected = Dictionary(uniqueKeysWithValues: Tor1CellCryptVectors.cells.map { ($0.0, hex($0.1)) })
        for (cellNumber, plaintext) in plaintextCells(count: 51).enumerated() {
            // Produce the cell (checked against the vector in the test above and here).
            var cell = plaintext
            let tag = clients[2].sealOutbound(&cell)
            let sealed = cell
            clients[2].encryptOutbound(&cell); clients[1].encryptOutbound(&cell); clients[0].encryptOutbound(&cell)
            if let want = expected[cellNumber] { XCTAssertEqual(cell, want, "cell \(cellNumber)") }

            relays[0].decryptInbound(&cell)
            XCTAssertFalse(relays[0].isRecognized(cell), "hop 1, cell \(cellNumber)")
            relays[1].decryptInbound(&cell)
            XCTAssertFalse(relays[1].isRecognized(cell), "hop 2, cell \(cellNumber)")
            relays[2].decryptInbound(&cell)
            XCTAssertTrue(relays[2].isRecognized(cell), "hop 3, cell \(cellNumber)")
            XCTAssertEqual(cell, sealed)
            XCTAssertEqual(relays[2].lastBackwardDigest, tag, "SENDME tag, cell \(cellNumber)")
            var withoutDigest = cell
            withoutDigest.replaceSubrange(5..<9, with: [0, 0, 0, 0])
            XCTAssertEqual(withoutDigest, plaintext)
            let message = try RelayMessage(payload: cell)
            XCTAssertEqual(message.command, .data)
            XCTAssertEqual(message.streamID, 1)
            XCTAssertEqual(message.data, Array(plaintext[11..<509]))
        }
    }

    /// Inbound: each hop originates cells (interleaved); the client peels layers 1, 2, 3 and the
    /// right layer, and only it, recognizes each cell. No official inbound vector exists in
    /// arti or C tor (C's test_relaycrypt.c is round-trip only), so this is a round trip.
    func testInboundCellsAreRecognizedByTheOriginatingHop() throws {
        let relays = try relayLayers()
        let clients = try clientLayers()
        let origins = [2, 0, 1, 2, 2, 0, 1, 1, 0, 2, 0, 0, 1, 2]
        for (index, (origin, plaintext)) in zip(origins, plaintextCells(count: origins.count)).enumerated() {
            var cell = plaintext
            let relayTag = relays[origin].sealOutbound(&cell)    // relay: digest with Db ...
            let sealed = cell
            relays[origin].encryptOutbound(&cell)                // ... then encrypt with Kb
            for hop in stride(from: origin - 1, through: 0, by: -1) { relays[hop].encryptOutbound(&cell) }

            var recognizedAt: Int?
            for hop in 0..<3 {
                clients[hop].decryptInbound(&cell)
                if clients[hop].isRecognized(cell) { recognizedAt = hop; break }
            }
            XCTAssertEqual(recognizedAt, origin, "cell \(index)")
            XCTAssertEqual(cell, sealed, "cell \(index)")
            XCTAssertEqual(clients[origin].lastBackwardDigest, relayTag, "cell \(index)")
        }
    }

    func testTamperedCellIsNotRecognizedAndStateIsUnchanged() throws {
        let relays = try relayLayers()
        let clients = try clientLayers()
        let plaintexts = plaintextCells(count: 2)
        var cell = plaintexts[0]
        let tag1 = relays[0].sealOutbound(&cell)
        relays[0].encryptOutbound(&cell)
        clients[0].decryptInbound(&cell)

        // A flipped data byte or digest byte: not recognized, and nothing changes.
        for index in [5, 8, 11, 300, 508] {
            var tampered = cell
            tampered[index] ^= 0x04
            XCTAssertFalse(clients[0].isRecognized(tampered), "byte \(index)")
            XCTAssertEqual(clients[0].lastBackwardDigest, [])
        }
        // Recognized field non-zero: refused.
        var nonzero = cell
        nonzero[2] = 1
        XCTAssertFalse(clients[0].isRecognized(nonzero))

        // The failed checks did not advance the running digest: the genuine cell and the next
        // one are still recognized with the relay's tags.
        XCTAssertTrue(clients[0].isRecognized(cell))
        XCTAssertEqual(clients[0].lastBackwardDigest, tag1)
        // Recognizing the same cell twice fails: the digest has moved on.
        XCTAssertFalse(clients[0].isRecognized(cell))
        var second = plaintexts[1]
        let tag2 = relays[0].sealOutbound(&second)
        relays[0].encryptOutbound(&second)
        clients[0].decryptInbound(&second)
        XCTAssertTrue(clients[0].isRecognized(second))
        XCTAssertEqual(clients[0].lastBackwardDigest, tag2)
        XCTAssertNotEqual(tag1, tag2)
    }
}
