import XCTest
import TorCrypto
@testable import TorProto

/// ntor v3 (CREATE2 type 3) against the spec's vectors: torspec
/// `proposals/332-ntor-v3-with-extra-data.md` "X.2: Test vectors" (the same as C tor's
/// `src/test/test_ntor_v3.c` `test_ntor3_testvecs`).
final class NtorV3VectorTests: XCTestCase {
    let relayOnionKey = hex("f8307a2bc1870b00b828bb74dbb8fd88e632a6375ab3bcd1ae706aaa8b6cdd1d")
    let relayID = hex("9fad2af287ef942632833d21f946c6260c33fae6172b60006e86e4a6911753a2")
    let x = hex("b825a3719147bcbe5fb1d0b0fcb9c09e51948048e2e3283d2ab7b45b5ef38b49")
    let publicX = hex("252fe9ae91264c91d4ecb8501f79d0387e34ad8ca0f7c995184f7d11d5da4f46")
    let clientMessage = hex("68656c6c6f20776f726c64")
    let verification = hex("78797a7a79")
    let serverMessage = hex("486f6c61204d756e646f")
    let msgMAC = hex("9e044d53565f04d82bbb3bebed3d06cea65db8be9c72b68cd461942088502f67")
    let clientHandshake = hex("""
        9fad2af287ef942632833d21f946c6260c33fae6172b60006e86e4a6911753a2f8307a2bc1870b00b828bb74dbb8fd88e632a637\
        5ab3bcd1ae706aaa8b6cdd1d252fe9ae91264c91d4ecb8501f79d0387e34ad8ca0f7c995184f7d11d5da4f463bebd9151fd3b47c\
        180abc9e044d53565f04d82bbb3bebed3d06cea65db8be9c72b68cd461942088502f67
        """)
    let serverHandshake = hex("""
        4bf4814326fdab45ad5184f5518bd7fae25dc59374062698201a50a22954246d2fc5f8773ca824542bc6cf6f57c7c29bbf4e5476\
        461ab130c5b18ab0a91276651202c3e1e87c0d32054c
        """)
    let keystream = hex("""
        9c19b631fd94ed86a817e01f6c80b0743a43f5faebd39cfaa8b00fa8bcc65c3bfeaa403d91acbd68a821bf6ee8504602b094a254\
        392a07737d5662768c7a9fb1b2814bb34780eaee6e867c773e28c212ead563e98a1cd5d5b4576f5ee61c59bde025ff2851bb19b7\
        21421694f263818e3531e43a9e4e3e2c661e2ad547d8984caa28ebecd3e4525452299be26b9185a20a90ce1eac20a91f2832d731\
        b54502b09749b5a2a2949292f8cfcbeffb790c7790ed935a9d251e7e336148ea83b063a5618fcff674a44581585fd22077ca0e52\
        c59a24347a38d1a1ceebddbf238541f226b8f88d0fb9c07a1bcd2ea764bbbb5dacdaf5312a14c0b9e4f06309b0333b4a
        """)

    func makeClient() throws -> NtorV3ClientHandshake {
        try NtorV3ClientHandshake(relayEd25519ID: relayID, relayOnionKey: relayOnionKey, message: clientMessage,
                                  verification: verification, ephemeral: X25519PrivateKey(rawRepresentation: x))
    }

    func testClientHandshakeMatchesVector() throws {
        XCTAssertEqual(try X25519PrivateKey(rawRepresentation: x).publicKey, publicX)
        let client = try makeClient()
        XCTAssertEqual(client.messageMAC, msgMAC)
        XCTAssertEqual(client.onionskin, clientHandshake)
    }

    func testServerReplyGivesMessageAndKeystream() throws {
        XCTAssertEqual(keystream.count, 256)
        let (message, keys) = try makeClient().complete(reply: serverHandshake, keyLength: 256)
        XCTAssertEqual(message, serverMessage)
        XCTAssertEqual(keys, keystream)
        // The default is tor1's 72 bytes, a prefix of the same stream.
        XCTAssertEqual(try makeClient().complete(reply: serverHandshake).keyMaterial, Array(keystream[0..<72]))
    }

    func testIntermediateValuesMatchVector() throws {
        var xb = try X25519PrivateKey(rawRepresentation: x).sharedSecret(with: relayOnionKey)
        defer { wipe(&xb) }
        let phase1 = NtorV3ClientHandshake.kdf(xb + relayID + publicX + relayOnionKey + NtorV3ClientHandshake.protoID
                                                + NtorV3ClientHandshake.encap(verification),
                                                NtorV3ClientHandshake.tMessageKDF, 64)
        XCTAssertEqual(Array(phase1[0..<32]), hex("4cd166e93f1c60a29f8fb9ec40ea0fc878930c27800594593e1c4d0f3b5fbd02"))
        XCTAssertEqual(Array(phase1[32..<64]), hex("f5b69e85fdd26e1b0bdbbc8128e32d8123040255f11f744af3cc98fc13613cda"))
    }

    func testEveryFlippedReplyByteFails() throws {
        let client = try makeClient()
        // Y, AUTH and the encrypted server message are all covered by AUTH.
        for index in serverHandshake.indices {
            var reply = serverHandshake
            reply[index] ^= 0x01
            XCTAssertThrowsError(try client.complete(reply: reply), "byte \(index)") { error in
                guard case ProtoError.handshakeFailed = error else { return XCTFail("byte \(index): \(error)") }
            }
        }
        XCTAssertThrowsError(try client.complete(reply: Array(serverHandshake.prefix(63))))
        // A truncated server message no longer matches AUTH either.
        XCTAssertThrowsError(try client.complete(reply: Array(serverHandshake.dropLast())))
    }

    func testCircuitVerificationStringIsCTors() {
        XCTAssertEqual(NtorV3ClientHandshake.circuitVerification, Array("circuit extend".utf8))
    }

    func testRejectsBadKeyLengths() {
        XCTAssertThrowsError(try NtorV3ClientHandshake(relayEd25519ID: Array(relayID.prefix(20)), relayOnionKey: relayOnionKey,
                                                       message: []))
        XCTAssertThrowsError(try NtorV3ClientHandshake(relayEd25519ID: relayID, relayOnionKey: Array(relayOnionKey.prefix(31)),
                                                       message: []))
        // A small-order onion key (all zeros) gives an all-zero shared secret.
        XCTAssertThrowsError(try NtorV3ClientHandshake(relayEd25519ID: relayID, relayOnionKey: [UInt8](repeating: 0, count: 32),
                                                       message: []))
    }
}

/// The extension lists ntor v3 carries (proposal 324 §"Negotiating congestion control").
final class NtorV3ExtensionTests: XCTestCase {
    func testClientRequestEncoding() {
        XCTAssertEqual(NtorV3Extensions.clientRequest(congestionControl: true).encoded(), [0x01, 0x01, 0x00])
        XCTAssertEqual(NtorV3Extensions.clientRequest(congestionControl: false).encoded(), [0x00])
    }

    func testServerResponseDecoding() throws {
        XCTAssertEqual(try NtorV3Extensions(decoding: [0x01, 0x02, 0x01, 31]).congestionControlSendmeIncrement(), 31)
        XCTAssertNil(try NtorV3Extensions(decoding: [0x00]).congestionControlSendmeIncrement())
        XCTAssertNil(try NtorV3Extensions(decoding: []).congestionControlSendmeIncrement())
        // Unknown extensions are skipped.
        let mixed = try NtorV3Extensions(decoding: [0x02, 0x09, 0x02, 0xAA, 0xBB, 0x02, 0x01, 33])
        XCTAssertEqual(mixed.extensions.count, 2)
        XCTAssertEqual(try mixed.congestionControlSendmeIncrement(), 33)
    }

    func testMalformedServerResponsesAreRefused() throws {
        XCTAssertThrowsError(try NtorV3Extensions(decoding: [0x01, 0x02, 0x05, 1]))   // body runs past the end
        XCTAssertThrowsError(try NtorV3Extensions(decoding: [0x02, 0x02, 0x01, 31]))  // second extension missing
        XCTAssertThrowsError(try NtorV3Extensions(decoding: [0x01, 0x02, 0x00]).congestionControlSendmeIncrement())
        XCTAssertThrowsError(try NtorV3Extensions(decoding: [0x01, 0x02, 0x01, 0]).congestionControlSendmeIncrement())
    }
}
