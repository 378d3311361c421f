import OnionService
import TorCircuits
import XCTest
@testable import OnionctlCLI

/// The SOCKS5 / SOCKS4a wire format of `onionctl proxy` (pure: no sockets).
final class SOCKSCodecTests: XCTestCase {
    static let onion = "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad.onion"

    private func request(_ bytes: [UInt8]) -> SOCKSParse<Result<SOCKSRequest, RequestProblemError>> {
        SOCKSCodec.parseRequest(bytes[...])
    }

    // MARK: Greetings

    func testGreetingOffersMethods() {
        XCTAssertEqual(SOCKSCodec.parseGreeting([5, 1, 0][...]), .complete([0], consumed: 3))
        XCTAssertEqual(SOCKSCodec.parseGreeting([5, 2, 0, 2, 5, 1][...]), .complete([0, 2], consumed: 4))
        XCTAssertEqual(SOCKSCodec.chooseMethod([2, 0]), 0)
        XCTAssertEqual(SOCKSCodec.chooseMethod([2]), 0xFF, "username/password only: no acceptable method")
        XCTAssertEqual(SOCKSCodec.methodSelection(0), [5, 0])
    }

    func testShortGreetingsAskForMore() {
        XCTAssertEqual(SOCKSCodec.parseGreeting([][...]), .incomplete)
        XCTAssertEqual(SOCKSCodec.parseGreeting([5][...]), .incomplete)
        XCTAssertEqual(SOCKSCodec.parseGreeting([5, 3, 0, 1][...]), .incomplete)
    }

    func testMalformedGreetings() {
        guard case .malformed = SOCKSCodec.parseGreeting([5, 0][...]) else { return XCTFail("no methods") }
        guard case .malformed = SOCKSCodec.parseGreeting(Array("GET / HTTP/1.1\r\n".utf8)[...]) else { return XCTFail("HTTP") }
        XCTAssertNil(SOCKSCodec.version([0x47][...]))
        XCTAssertEqual(SOCKSCodec.version([5][...]), .socks5)
        XCTAssertEqual(SOCKSCodec.version([4][...]), .socks4)
    }

    // MARK: SOCKS5 requests, every address type

    func testDomainRequest() {
        let name = Array(Self.onion.utf8)
        let bytes: [UInt8] = [5, 1, 0, 3, UInt8(name.count)] + name + [0x1F, 0x90] + [9, 9]
        XCTAssertEqual(request(bytes), .complete(.success(SOCKSRequest(version: .socks5, command: .connect,
                                                                        target: .domain(name), port: 8080)),
                                                  consumed: bytes.count - 2))
    }

    func testIPv4AndIPv6Requests() {
        XCTAssertEqual(request([5, 1, 0, 1, 127, 0, 0, 1, 0, 80]),
                       .complete(.success(SOCKSRequest(version: .socks5, command: .connect, target: .ipv4([127, 0, 0, 1]), port: 80)), consumed: 10))
        let six = [UInt8](repeating: 0, count: 15) + [1]
        XCTAssertEqual(request([5, 2, 0, 4] + six + [1, 0]),
                       .complete(.success(SOCKSRequest(version: .socks5, command: .bind, target: .ipv6(six), port: 256)), consumed: 22))
        XCTAssertEqual(SOCKSTarget.ipv6(six).description, "[0:0:0:0:0:0:0:1]")
        XCTAssertEqual(SOCKSTarget.ipv4([10, 0, 0, 7]).description, "10.0.0.7")
    }

    func testUnknownAddressTypeIsAProblemNotMalformed() {
        XCTAssertEqual(request([5, 1, 0, 9, 1, 2, 3]), .complete(.failure(RequestProblemError(problem: .unknownAddressType(9))), consumed: 7))
    }

    func testShortRequestsAskForMore() {
        let full: [UInt8] = [5, 1, 0, 3, 4] + Array("a.bc".utf8) + [0, 80]
        for length in 0..<full.count {
            XCTAssertEqual(request(Array(full[0..<length])), .incomplete, "prefix of \(length) bytes")
        }
        XCTAssertEqual(request([5, 1, 0, 1, 1, 2, 3, 4, 0]), .incomplete)
        XCTAssertEqual(request([5, 1, 0, 4] + [UInt8](repeating: 0, count: 17)), .incomplete)
    }

    func testMalformedRequests() {
        guard case .malformed = request([4, 1, 0, 1, 1, 2, 3, 4, 0, 80]) else { return XCTFail("version 4 after a SOCKS5 greeting") }
        guard case .malformed = request([6]) else { return XCTFail("version byte") }
        guard case .malformed = request([5, 1, 0, 3, 0, 0, 80]) else { return XCTFail("empty domain name") }
    }

    func testRequestParsesFromASliceOffset() {
        let bytes: [UInt8] = [5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80]
        XCTAssertEqual(SOCKSCodec.parseRequest(bytes[3...]),
                       .complete(.success(SOCKSRequest(version: .socks5, command: .connect, target: .ipv4([127, 0, 0, 1]), port: 80)), consumed: 10))
    }

    // MARK: SOCKS4 / SOCKS4a

    func testSOCKS4aHostName() {
        let bytes: [UInt8] = [4, 1, 0, 80, 0, 0, 0, 1] + Array("user".utf8) + [0] + Array(Self.onion.utf8) + [0]
        XCTAssertEqual(SOCKSCodec.parseSOCKS4(bytes[...]),
                       .complete(SOCKSRequest(version: .socks4, command: .connect, target: .domain(Array(Self.onion.utf8)), port: 80),
                                 consumed: bytes.count))
        for length in 0..<bytes.count {
            XCTAssertEqual(SOCKSCodec.parseSOCKS4(bytes[0..<length]), .incomplete, "prefix of \(length) bytes")
        }
    }

    func testSOCKS4WithAnIPAddress() {
        XCTAssertEqual(SOCKSCodec.parseSOCKS4([4, 1, 1, 187, 10, 0, 0, 1, 0][...]),
                       .complete(SOCKSRequest(version: .socks4, command: .connect, target: .ipv4([10, 0, 0, 1]), port: 443), consumed: 9))
    }

    func testSOCKS4Malformed() {
        let endless = [UInt8]([4, 1, 0, 80, 1, 2, 3, 4]) + [UInt8](repeating: 0x41, count: SOCKSCodec.maxHandshakeBytes)
        guard case .malformed = SOCKSCodec.parseSOCKS4(endless[...]) else { return XCTFail("user id without its end") }
        guard case .malformed = SOCKSCodec.parseSOCKS4([4, 1, 0, 80, 0, 0, 0, 1, 0, 0][...]) else { return XCTFail("empty host") }
    }

    // MARK: Replies

    func testReplies() {
        XCTAssertEqual(SOCKSCodec.reply(.succeeded), [5, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(SOCKSCodec.reply(.commandNotSupported), [5, 7, 0, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(SOCKSCodec.socks4Reply(granted: true), [0, 90, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(SOCKSCodec.socks4Reply(granted: false), [0, 91, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(SOCKSReply.notAllowed.description, "not allowed by ruleset (0x02)")
        XCTAssertEqual(SOCKSReply.onionMissingClientAuth.description, "onion service client authorization missing (0xF4)")
    }

    // MARK: Policy and error mapping

    private func decide(_ target: SOCKSTarget, command: SOCKSCommand = .connect, port: UInt16 = 80,
                        extended: Bool = false) -> Result<SOCKSPolicy.Decision, SOCKSPolicy.Refusal> {
        SOCKSPolicy.decide(SOCKSRequest(version: .socks5, command: command, target: target, port: port), extendedErrors: extended)
    }

    private func refused(_ result: Result<SOCKSPolicy.Decision, SOCKSPolicy.Refusal>) -> SOCKSReply? {
        if case let .failure(refusal) = result { return refusal.reply }
        return nil
    }

    func testOnlyOnionConnectIsServed() throws {
        let address = try OnionAddress(Self.onion)
        XCTAssertEqual(try decide(.domain(Array(Self.onion.utf8))).get(), SOCKSPolicy.Decision(address: address, port: 80))
        XCTAssertEqual(try decide(.domain(Array(("www." + Self.onion.uppercased() + ".").utf8))).get().address, address)
        XCTAssertEqual(decide(.domain(Array(Self.onion.utf8)), command: .bind), .failure(SOCKSPolicy.Refusal(reply: .commandNotSupported, reason: "only CONNECT is supported (bind)")))
        XCTAssertEqual(refused(decide(.domain(Array(Self.onion.utf8)), command: .udpAssociate)), .commandNotSupported)
        XCTAssertEqual(refused(decide(.domain(Array(Self.onion.utf8)), command: .other(0xF0))), .commandNotSupported)
        XCTAssertEqual(refused(decide(.domain(Array("example.com".utf8)))), .notAllowed)
        XCTAssertEqual(refused(decide(.domain([0xFF, 0xFE]))), .notAllowed)
        XCTAssertEqual(refused(decide(.ipv4([127, 0, 0, 1]))), .notAllowed)
        XCTAssertEqual(refused(decide(.ipv6([UInt8](repeating: 0, count: 15) + [1]))), .notAllowed)
        let badChecksum = "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoaa.onion"
        XCTAssertEqual(refused(decide(.domain(Array(badChecksum.utf8)))), .generalFailure)
        XCTAssertEqual(refused(decide(.domain(Array(badChecksum.utf8)), extended: true)), .onionBadAddress)
        XCTAssertEqual(refused(decide(.domain(Array(Self.onion.utf8)), port: 0)), .generalFailure)
    }

    func testErrorMapping() {
        let onion = "x.onion"
        let cases: [(any Error, SOCKSReply, SOCKSReply)] = [
            (OnionServiceError.descriptorNotFound(onion: onion, triedDirectories: 3), .hostUnreachable, .onionDescriptorNotFound),
            (OnionServiceError.serviceOffline(onion: onion), .hostUnreachable, .onionIntroductionFailed),
            (OnionServiceError.introductionFailed(onion: onion, detail: ""), .hostUnreachable, .onionIntroductionFailed),
            (OnionServiceError.rendezvousFailed(onion: onion, detail: ""), .hostUnreachable, .onionRendezvousFailed),
            (OnionServiceError.clientAuthorizationRequired(onion: onion), .hostUnreachable, .onionMissingClientAuth),
            (OnionServiceError.clientAuthorizationRejected(onion: onion), .hostUnreachable, .onionBadClientAuth),
            (OnionServiceError.badDescriptor(onion: onion, detail: ""), .hostUnreachable, .onionDescriptorInvalid),
            (OnionServiceError.timedOut(onion: onion, phase: .introduction), .ttlExpired, .onionIntroductionTimedOut),
            (OnionServiceError.timedOut(onion: onion, phase: .rendezvous), .ttlExpired, .ttlExpired),
            (OnionServiceError.streamRefused(onion: onion, port: 81, detail: ""), .connectionRefused, .connectionRefused),
            (OnionServiceError.network("x"), .generalFailure, .generalFailure),
            (StreamError.closed, .connectionRefused, .connectionRefused),
            (CircuitError.timedOut("x"), .ttlExpired, .ttlExpired),
            (CircuitError.closed, .generalFailure, .generalFailure),
            (ProxyTimeout(seconds: 1), .ttlExpired, .ttlExpired),
            (CancellationError(), .generalFailure, .generalFailure),
        ]
        for (error, plain, extended) in cases {
            XCTAssertEqual(SOCKSPolicy.reply(for: error, extendedErrors: false), plain, "\(error)")
            XCTAssertEqual(SOCKSPolicy.reply(for: error, extendedErrors: true), extended, "\(error) (extended)")
        }
    }

    // MARK: Listen addresses

    func testListenAddresses() throws {
        XCTAssertEqual(try ListenAddress("127.0.0.1:9150"), try ListenAddress("localhost:9150"))
        XCTAssertEqual(try ListenAddress("9150").description, "127.0.0.1:9150")
        XCTAssertEqual(try ListenAddress("[::1]:0").description, "[::1]:0")
        XCTAssertTrue(try ListenAddress("127.5.0.1:1").isLoopback)
        XCTAssertTrue(try ListenAddress("[::1]:1").isLoopback)
        XCTAssertFalse(try ListenAddress("0.0.0.0:9150").isLoopback)
        XCTAssertFalse(try ListenAddress("[::]:9150").isLoopback)
        XCTAssertFalse(try ListenAddress("192.168.1.2:9150").isLoopback)
        XCTAssertThrowsError(try ListenAddress("example.com:9150"))
        XCTAssertThrowsError(try ListenAddress("127.0.0.1:99999"))
    }
}
