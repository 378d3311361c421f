import XCTest
import TorCrypto
@testable import TorProto

/// Round trips, stream framing under arbitrary splits, and hostile input: every decoder must
/// either return a value or throw a `ProtoError`, never trap.
final class CodecRobustnessTests: XCTestCase {
    // MARK: ByteReader

    func testByteReaderReadsBigEndianAndThrowsOnTruncation() throws {
        var reader = ByteReader(hex("01 0203 04050607 08090A0B0C0D0E0F 1011"))
        XCTAssertEqual(try reader.readU8(), 0x01)
        XCTAssertEqual(try reader.readU16(), 0x0203)
        XCTAssertEqual(try reader.readU32(), 0x0405_0607)
        XCTAssertEqual(try reader.readU64(), 0x0809_0A0B_0C0D_0E0F)
        XCTAssertEqual(reader.remaining, 2)
        XCTAssertEqual(assertProtoError(try reader.readU32("field")), .truncated(what: "field", needed: 4, available: 2))
        XCTAssertEqual(reader.offset, 15, "a failed read consumes nothing")
        assertProtoError(try reader.readU64())
        assertProtoError(try reader.readBytes(3))
        assertProtoError(try reader.readBytes(-1))
        assertProtoError(try reader.skip(3))
        XCTAssertEqual(try reader.readBytes(0), [])
        XCTAssertEqual(reader.readRest(), [0x10, 0x11])
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(reader.readRest(), [])
        assertProtoError(try reader.readU8())
        // A window inside a larger buffer.
        var window = ByteReader([9, 1, 2, 3, 9], offset: 1, end: 4)
        XCTAssertEqual(try window.readU16(), 0x0102)
        XCTAssertEqual(window.readRest(), [3])
        assertProtoError(try window.readU8())
    }

    func testAppendersAndHex() {
        var out = [UInt8]()
        out.appendU16(0x0102); out.appendU32(0x0304_0506); out.appendU64(0x0708_090A_0B0C_0D0E)
        XCTAssertEqual(out, hex("0102 03040506 0708090A0B0C0D0E"))
        XCTAssertEqual(UInt64(0x1122_3344_5566_7788).bigEndianBytes, hex("1122334455667788"))
        XCTAssertEqual(hexString([0x00, 0xab, 0xff]), "00abff")
        XCTAssertEqual(bytesFromHex("00ABff"), [0x00, 0xab, 0xff])
        XCTAssertNil(bytesFromHex("abc"))
        XCTAssertNil(bytesFromHex("zz"))
        XCTAssertEqual(bytesFromHex(""), [])
    }

    // MARK: Round trips

    func testRoundTrips() throws {
        let versions = VersionsCell(versions: [3, 4, 5, 0xffff])
        XCTAssertEqual(try VersionsCell(payload: versions.cell().payload), versions)

        let netinfo = NetinfoCell(timestamp: 0xdead_beef, otherAddress: .ipv6(Array(0..<16)),
                                  myAddresses: [.ipv4([10, 0, 0, 1]), .other(type: 0x42, value: [1, 2, 3]), .ipv6([UInt8](repeating: 7, count: 16))])
        XCTAssertEqual(try NetinfoCell(payload: netinfo.cell().encoded().dropFirst(5).map { $0 }), netinfo)

        let specifiers: [LinkSpecifier] = [
            .ipv4(address: [1, 2, 3, 4], port: 443), .ipv6(address: Array(100..<116), port: 9001),
            .legacyID(Array(0..<20)), .ed25519ID(Array(32..<64)), .unrecognized(type: 9, body: [1, 2]),
            .unrecognized(type: 200, body: []),
        ]
        var encoded = [UInt8]()
        LinkSpecifier.encodeList(specifiers, into: &encoded)
        var reader = ByteReader(encoded)
        XCTAssertEqual(try LinkSpecifier.decodeList(from: &reader), specifiers)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(specifiers.map(\.typeCode), [0, 1, 2, 3, 9, 200])

        let extend2 = Extend2Message(linkSpecifiers: specifiers, handshakeType: HandshakeType.ntorV3, handshakeData: Array(repeating: 5, count: 300))
        XCTAssertEqual(try Extend2Message(body: extend2.encoded()), extend2)

        let created = Array(repeating: UInt8(0x33), count: 64)
        XCTAssertEqual(try decodeCreated2Body(Create2Body(handshakeType: 2, handshakeData: created).encoded().dropFirst(2).map { $0 }), created)

        for sendme in [SendmeMessage.v0, .v1(digest: Array(0..<20)), .v1(digest: Array(0..<16))] {
            XCTAssertEqual(try SendmeMessage(body: sendme.encoded()), sendme)
        }

        var rng = SplitMix64(seed: 7)
        for length in [0, 1, 100, 497, 498] {
            let message = RelayMessage(command: .data, streamID: 0xbeef, data: rng.bytes(length))
            let payload = try message.encodedPayload { rng.bytes($0) }
            XCTAssertEqual(payload.count, 509)
            XCTAssertEqual(try RelayMessage(payload: payload), message)
            if length <= 494 { XCTAssertEqual(Array(payload[(11 + length)..<(15 + length)]), [0, 0, 0, 0]) }
        }
    }

    func testLinkSpecifierWrongLengthsThrow() {
        for text in ["00 05 0102030401", "01 11 000102030405060708090A0B0C0D0E0F01", "02 13" + String(repeating: "00", count: 19),
                     "03 1F" + String(repeating: "00", count: 31), "00 06 01020304", "02"] {
            var reader = ByteReader(hex(text))
            assertProtoError(try LinkSpecifier.decode(from: &reader), text)
        }
    }

    // MARK: CellFramer

    /// A channel byte stream with 4-byte circuit IDs: fixed and variable cells of several sizes.
    func sampleCells() -> [Cell] {
        var rng = SplitMix64(seed: 42)
        return [
            Cell(circuitID: 0, command: .certs, payload: hex(ChannelMessageVectorTests.certsBody)),
            Cell(circuitID: 0, command: .authChallenge, payload: rng.bytes(36)),
            Cell(circuitID: 0, command: .netinfo, payload: padded(NetinfoCell(timestamp: 1, otherAddress: .ipv4([1, 2, 3, 4]), myAddresses: []).cell().payload)),
            Cell(circuitID: 0x8000_0001, command: .created2, payload: rng.bytes(509)),
            Cell(circuitID: 0, command: .vpadding, payload: []),
            Cell(circuitID: 0x8000_0001, command: .relay, payload: rng.bytes(509)),
            Cell(circuitID: 0xffff_ffff, command: ChannelCommand(rawValue: 250), payload: rng.bytes(3)),
            Cell(circuitID: 0x8000_0001, command: .destroy, payload: padded([DestroyReason.finished.rawValue])),
        ]
    }

    func testFramerSplitAtEveryOffset() throws {
        let cells = sampleCells()
        let stream = cells.flatMap { $0.encoded() }
        for split in 0...stream.count {
            var framer = CellFramer(circuitIDWidth: 4)
            var got = [Cell]()
            framer.append(Array(stream[0..<split]))
            while let cell = try framer.nextCell() { got.append(cell) }
            framer.append(Array(stream[split...]))
            while let cell = try framer.nextCell() { got.append(cell) }
            XCTAssertEqual(got, cells, "split at \(split)")
            XCTAssertEqual(framer.bufferedCount, 0)
            if got != cells { break }
        }
    }

    func testFramerByteByByteAndRandomChunks() throws {
        let cells = sampleCells()
        let stream = cells.flatMap { $0.encoded() }
        XCTAssertGreaterThan(stream.count * 40, 65_536)
        var framer = CellFramer(circuitIDWidth: 4)
        var got = [Cell]()
        for byte in stream {
            framer.append([byte])
            while let cell = try framer.nextCell() { got.append(cell) }
        }
        XCTAssertEqual(got, cells)

        var rng = SplitMix64(seed: 1234)
        for round in 0..<100 {
            var framer = CellFramer(circuitIDWidth: 4)
            var got = [Cell]()
            var position = 0
            // Every tenth round sends > 64 KiB so the framer's internal compaction is exercised.
            let copies = round % 10 == 0 ? 40 : 1 + round % 5
            let repeated = Array([[UInt8]](repeating: stream, count: copies).joined())
            while position < repeated.count {
                let chunk = Int.random(in: 1...700, using: &rng)
                let end = min(repeated.count, position + chunk)
                repeated[position..<end].withUnsafeBytes { framer.append($0) }
                position = end
                while let cell = try framer.nextCell() { got.append(cell) }
            }
            XCTAssertEqual(got.count, cells.count * copies)
            XCTAssertEqual(Array(got.prefix(cells.count)), cells)
            XCTAssertEqual(Array(got.suffix(cells.count)), cells)
            XCTAssertEqual(framer.bufferedCount, 0)
        }
    }

    /// Link negotiation: VERSIONS arrives with a 2-byte circuit ID, the rest with 4 bytes.
    func testFramerSwitchesCircuitIDWidthAfterVersions() throws {
        let versions = VersionsCell(versions: [4, 5]).cell()
        let rest = sampleCells()
        var framer = CellFramer()
        XCTAssertEqual(framer.circuitIDWidth, 2)
        framer.append(versions.encoded(circuitIDWidth: 2) + rest.flatMap { $0.encoded() })
        XCTAssertEqual(try framer.nextCell(), versions)
        framer.circuitIDWidth = 4
        var got = [Cell]()
        while let cell = try framer.nextCell() { got.append(cell) }
        XCTAssertEqual(got, rest)
    }

    func testFramerRefusesOversizedVariableCell() throws {
        var framer = CellFramer(circuitIDWidth: 4, maxVariableLength: 1000)
        framer.append(hex("00000000 81 03E8") + [UInt8](repeating: 0, count: 1000))
        XCTAssertEqual(try framer.nextCell()?.payload.count, 1000)
        // The header alone is enough to refuse: no need to buffer 1001 bytes first.
        framer.append(hex("00000000 81 03E9"))
        XCTAssertEqual(assertProtoError(try framer.nextCell()),
                       .lengthOutOfRange(what: "CERTS cell", length: 1001, limit: 1000))
        var big = CellFramer(circuitIDWidth: 2, maxVariableLength: 0)
        big.append(hex("0000 07 0002 0004"))
        assertProtoError(try big.nextCell())
        // A fixed-length command is never treated as variable, whatever follows.
        var fixed = CellFramer(circuitIDWidth: 4, maxVariableLength: 0)
        fixed.append(hex("00000001 03 FFFF"))
        XCTAssertNil(try fixed.nextCell())
    }

    // MARK: Truncation and bad lengths

    func testEveryTruncationOfValidInputsThrows() throws {
        let extend2 = hex("02 00 06 7F0000011388 02 14 03479E93EBF3FF2C58C1C9DBF2DE9DE9C2801B3E 0002 0004 01020304")
        for length in 0..<extend2.count { assertProtoError(try Extend2Message(body: Array(extend2.prefix(length))), "\(length)") }
        XCTAssertNoThrow(try Extend2Message(body: extend2))

        let netinfo = hex("5F6F859C 06 10 00000000000000000000000000000001 02 04 04 7F000001 06 10 00000000000000000000000000000001")
        for length in 0..<netinfo.count { assertProtoError(try NetinfoCell(payload: Array(netinfo.prefix(length))), "\(length)") }

        let certs = hex(ChannelMessageVectorTests.certsBody)
        for length in 0..<certs.count { assertProtoError(try CertsCell(payload: Array(certs.prefix(length))), "\(length)") }

        let cert = Ed25519CertificateVectorTests.identityCert
        for length in 0..<cert.count { assertProtoError(try Ed25519Certificate(bytes: Array(cert.prefix(length))), "\(length)") }

        let sendme = hex("01 0014 F01234989823478bcdefabcdef01234567890123")
        for length in 1..<sendme.count { assertProtoError(try SendmeMessage(body: Array(sendme.prefix(length))), "\(length)") }

        let created2 = hex("0040") + [UInt8](repeating: 1, count: 64)
        for length in 0..<created2.count { assertProtoError(try decodeCreated2Body(Array(created2.prefix(length))), "\(length)") }

        assertProtoError(try VersionsCell(payload: [0, 4, 0]))
    }

    func testBadLengthFieldsThrow() {
        // Lengths pointing past the data.
        assertProtoError(try Extend2Message(body: hex("01 00 FF 01020304")))
        assertProtoError(try Extend2Message(body: hex("00 0002 FFFF 0102")))
        assertProtoError(try NetinfoCell(payload: hex("00000000 04 FF 7F000001 00")))
        assertProtoError(try NetinfoCell(payload: hex("00000000 04 04 7F000001 FF")))
        assertProtoError(try CertsCell(payload: hex("01 04 FFFF 00")))
        assertProtoError(try CertsCell(payload: hex("FF")))
        assertProtoError(try decodeCreated2Body(hex("FFFF 00")))
        assertProtoError(try SendmeMessage(body: hex("01 FFFF 00")))
        var relay = [UInt8](repeating: 0, count: 509)
        relay[0] = 2; relay[4] = 1; relay[9] = 0xFF; relay[10] = 0xFF
        assertProtoError(try RelayMessage(payload: relay))
        // Ed25519 cert whose extension length runs past the end.
        var cert = Ed25519CertificateVectorTests.identityCert
        cert[39] = 0xFF
        assertProtoError(try Ed25519Certificate(bytes: cert))
    }

    // MARK: Randomized

    /// 2,000 inputs per decoder (fixed seed): random bytes, truncations and byte flips of valid
    /// encodings. Each decoder must return a value or throw a `ProtoError`.
    func testRandomizedInputsOnlyThrowProtoErrors() throws {
        var rng = SplitMix64(seed: 0x7072_6f74_6f74_6573)
        let zeros: (Int) -> [UInt8] = { [UInt8](repeating: 0, count: $0) }
        let seeds: [[UInt8]] = [
            hex(ChannelMessageVectorTests.certsBody),
            Ed25519CertificateVectorTests.identityCert,
            Ed25519CertificateVectorTests.linkCert,
            hex("02 00 06 7F0000011388 02 14 03479E93EBF3FF2C58C1C9DBF2DE9DE9C2801B3E 0002 0004 01020304"),
            hex("5F6F859C 06 10 00000000000000000000000000000001 02 04 04 7F000001 06 10 00000000000000000000000000000001"),
            hex("01 0014 F01234989823478bcdefabcdef01234567890123"),
            hex("000300040005"),
            hex("0040") + [UInt8](repeating: 1, count: 64),
            try RelayMessage(command: .data, streamID: 1, data: Array("hello".utf8)).encodedPayload(padding: zeros),
            sampleCells().flatMap { $0.encoded() },
        ]

        func input(_ round: Int) -> [UInt8] {
            switch round % 4 {
            case 0:
                return rng.bytes(Int.random(in: 0...600, using: &rng))
            case 1:
                let seed = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                return Array(seed.prefix(Int.random(in: 0...seed.count, using: &rng)))
            case 2:
                var seed = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !seed.isEmpty {
                    seed[Int.random(in: 0..<seed.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                return seed
            default:
                // A small-valued length/count prefix so the structured paths are reached.
                return [UInt8.random(in: 0...4, using: &rng), UInt8.random(in: 0...3, using: &rng)] + rng.bytes(Int.random(in: 0...80, using: &rng))
            }
        }

        let ntor = try NtorClientHandshake(relayID: Array(0..<20), relayOnionKey: hex("ccbc8541904d18af08753eae967874749e6149f873de937f57f8fd903a21c471"))
        let fast = CreateFastHandshake()
        let layer = try RelayCryptoLayer(keys: HopKeys(tor1Material: Array(RelayCryptoVectorTests.k1[0..<72])))
        var values = 0, errors = 0
        for round in 0..<2_000 {
            let bytes = input(round)
            let results: [Bool] = [
                attempt { _ = try VersionsCell(payload: bytes) },
                attempt { _ = try NetinfoCell(payload: bytes) },
                attempt { _ = try CertsCell(payload: bytes) },
                attempt { _ = try SendmeMessage(body: bytes) },
                attempt { var r = ByteReader(bytes); _ = try LinkSpecifier.decodeList(from: &r) },
                attempt { _ = try Extend2Message(body: bytes) },
                attempt { _ = try decodeCreated2Body(bytes) },
                attempt { _ = try Ed25519Certificate(bytes: bytes).validate(expectedType: 4, now: Date(timeIntervalSince1970: 0)) },
                attempt { _ = try RelayMessage(payload: padded(bytes)) },
                attempt { _ = try RelayMessage(payload: bytes) },
                attempt { _ = try ntor.complete(reply: bytes) },
                attempt { _ = try fast.complete(reply: bytes) },
                attempt {
                    var framer = CellFramer(circuitIDWidth: round % 2 == 0 ? 2 : 4, maxVariableLength: 400)
                    framer.append(bytes)
                    while let cell = try framer.nextCell() { XCTAssertLessThanOrEqual(cell.payload.count, 509) }
                },
            ]
            _ = EndReason(endBody: bytes).description
            if bytes.count >= 509 {
                var payload = Array(bytes.prefix(509))
                layer.decryptInbound(&payload)
                _ = layer.isRecognized(payload)
            }
            // The link verifier also reaches TorCrypto (X.509/RSA), which throws its own errors.
            if let certs = try? CertsCell(payload: bytes) {
                _ = try? LinkCertificateVerifier.verify(certs, tlsCertificateDER: bytes, now: Date())
            }
            values += results.filter { $0 }.count
            errors += results.filter { !$0 }.count
        }
        // Both outcomes occur, so the inputs reach past the first length check.
        XCTAssertGreaterThan(values, 1_000)
        XCTAssertGreaterThan(errors, 1_000)

        func attempt(_ body: () throws -> Void) -> Bool {
            do { try body(); return true } catch is ProtoError { return false } catch {
                XCTFail("non-ProtoError \(error)"); return false
            }
        }
    }

    /// Hostile CERTS cells built around the real certificates: every failure is an error, not a trap.
    func testMutatedCertsCellsNeverTrap() throws {
        let certs = try CertsCell(payload: hex(ChannelMessageVectorTests.certsBody))
        let tls = try XCTUnwrap(certs.certificate(ofType: 1))
        var rng = SplitMix64(seed: 99)
        var payload = hex(ChannelMessageVectorTests.certsBody)
        var failures = 0
        for _ in 0..<300 {
            var mutated = payload
            mutated[Int.random(in: 1..<mutated.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            guard let cell = try? CertsCell(payload: mutated) else { failures += 1; continue }
            do {
                _ = try LinkCertificateVerifier.verify(cell, tlsCertificateDER: tls, now: Ed25519CertificateVectorTests.notionalTime)
                // Only a flip in the type-1 body (unused by a client) may still verify.
                let changed = zip(cell.entries, certs.entries).filter { $0.0 != $0.1 }.map(\.0.type)
                XCTAssertTrue(changed.allSatisfy { $0 == 1 }, "verified despite changes to \(changed)")
            } catch {
                failures += 1
            }
        }
        // About 40% of the payload is the type-1 body, which a client ignores.
        XCTAssertGreaterThan(failures, 100)
        payload = []
    }
}

/// The link handshake's framer hands what it has not framed yet (whole cells and a partial one)
/// to the channel's framer; nothing may be lost or framing desynchronises.
final class FramerHandoverTests: XCTestCase {
    func testBufferedBytesIncludingAPartialCellMoveToTheNextFramerIntact() throws {
        let first = Cell(circuitID: 0x8000_0001, command: .createdFast, payload: [UInt8](repeating: 1, count: 40))
        let second = Cell(circuitID: 0x8000_0001, command: .relay, payload: [UInt8](repeating: 2, count: Cell.payloadLength))
        let wire = first.encoded(circuitIDWidth: 4) + second.encoded(circuitIDWidth: 4)
        var handshake = CellFramer(circuitIDWidth: 4)
        let cut = Cell.payloadLength + 5 + 100 // the first cell and 100 bytes of the second
        handshake.append(Array(wire[..<cut]))
        let leftover = handshake.takeBufferedBytes()
        XCTAssertEqual(leftover, Array(wire[..<cut]))
        XCTAssertEqual(handshake.bufferedCount, 0)
        var channel = CellFramer(circuitIDWidth: 4)
        channel.append(leftover)
        channel.append(Array(wire[cut...]))
        XCTAssertEqual(try channel.nextCell()?.command, .createdFast)
        let decoded = try channel.nextCell()
        XCTAssertEqual(decoded?.command, .relay)
        XCTAssertEqual(decoded?.payload, second.payload)
        XCTAssertNil(try channel.nextCell())
    }
}
