import Devices
import Foundation
import OnionService
import TorCircuits
import TorClient
import TorProto
import XCTest
@testable import OnionctlCLI

/// Issue 18: the exit code says what happened. A device that never answered is 6 (offline);
/// 8 only when it did answer, with something unexpected. README.md has the same table.
final class ExitCodeMappingTests: XCTestCase {
    let onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx"

    private func assertCode(_ error: any Error, _ code: Int32, kind: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(onionctlExitCode(for: error), code, "\(error)", file: file, line: line)
        if let kind { XCTAssertEqual(errorKind(error), kind, "\(error)", file: file, line: line) }
    }

    /// The issue's case: RENDEZVOUS2 never came (the connector reports it as rendezvousFailed),
    /// and `fetch`'s overall timeout (an HTTPError.timedOut): both "offline", not 8.
    func testARendezvousThatNeverCompletesIsOfflineNotUnexpectedAnswer() {
        let rendezvous = OnionServiceError.rendezvousFailed(onion: onion, detail: "\(CircuitError.timedOut("waiting for RENDEZVOUS2"))")
        assertCode(rendezvous, ExitCodes.offline, kind: "rendezvous-failed")
        assertCode(DeviceError.unreachable(device: "t", rendezvous), ExitCodes.offline, kind: "rendezvous-failed")
        assertCode(HTTPError.timedOut("after 60 s"), ExitCodes.offline, kind: "no-answer")
        assertCode(CircuitError.timedOut("waiting for RENDEZVOUS2"), ExitCodes.offline, kind: "no-answer")
    }

    func testOnionServiceErrors() {
        assertCode(OnionServiceError.invalidAddress("x"), ExitCodes.invalidInput, kind: "invalid-address")
        assertCode(OnionServiceError.descriptorNotFound(onion: onion, triedDirectories: 6), ExitCodes.offline, kind: "descriptor-not-found")
        assertCode(OnionServiceError.clientAuthorizationRequired(onion: onion), ExitCodes.clientAuth, kind: "client-auth-required")
        assertCode(OnionServiceError.clientAuthorizationRejected(onion: onion), ExitCodes.clientAuth, kind: "client-auth-rejected")
        assertCode(OnionServiceError.badDescriptor(onion: onion, detail: "x"), ExitCodes.torFailure, kind: "bad-descriptor")
        assertCode(OnionServiceError.introductionFailed(onion: onion, detail: "timed out waiting for INTRODUCE_ACK"), ExitCodes.offline)
        assertCode(OnionServiceError.serviceOffline(onion: onion), ExitCodes.offline, kind: "offline")
        for phase in ConnectionPhase.allCases {
            assertCode(OnionServiceError.timedOut(onion: onion, phase: phase), ExitCodes.offline, kind: "timed-out")
        }
        assertCode(OnionServiceError.network("no guard"), ExitCodes.torFailure, kind: "network")
        assertCode(OnionServiceError.streamRefused(onion: onion, port: 80, detail: "CONNECTREFUSED"), ExitCodes.offline)
    }

    func testDeviceErrors() {
        assertCode(DeviceError.invalidValue("x"), ExitCodes.invalidInput, kind: "invalid-value")
        assertCode(DeviceError.noSuchDevice("x", known: []), ExitCodes.noSuchDevice, kind: "no-such-device")
        assertCode(DeviceError.wrongKind(device: "x", kind: .http, expected: .pins), ExitCodes.invalidInput, kind: "wrong-kind")
        assertCode(DeviceError.unreachable(device: "x", .clientAuthorizationRequired(onion: onion)), ExitCodes.clientAuth)
        assertCode(DeviceError.unreachable(device: "x", .network("x")), ExitCodes.torFailure)
        assertCode(DeviceError.timedOut(device: "x", seconds: 120, what: "reaching the device"), ExitCodes.offline, kind: "timed-out")
        assertCode(DeviceError.rejected(device: "x", status: 404, message: "no", field: nil), ExitCodes.httpError, kind: "http-error")
        assertCode(DeviceError.unexpectedAnswer(device: "x", detail: "not JSON"), ExitCodes.unexpectedAnswer, kind: "unexpected-answer")
        assertCode(DeviceError.noDirectory(device: "x", detail: "x"), ExitCodes.noDirectory, kind: "no-directory")
        assertCode(DeviceError.tor(device: "x", detail: "x"), ExitCodes.torFailure, kind: "tor")
    }

    /// HTTP failures: 8 when the device sent something, 6 when nothing of an answer arrived.
    func testHTTPErrorsSayWhetherTheDeviceAnswered() {
        assertCode(HTTPError.malformed("bad status line"), ExitCodes.unexpectedAnswer, kind: "bad-http")
        assertCode(HTTPError.headersTooLarge(limit: 1), ExitCodes.unexpectedAnswer, kind: "bad-http")
        assertCode(HTTPError.bodyTooLarge(limit: 1), ExitCodes.unexpectedAnswer, kind: "bad-http")
        assertCode(HTTPError.connectionClosed(received: 0), ExitCodes.offline, kind: "no-answer")
        assertCode(HTTPError.connectionClosed(received: 17), ExitCodes.unexpectedAnswer, kind: "bad-http")
        assertCode(HTTPError.streamFailed(received: 0, detail: "circuit closed"), ExitCodes.offline, kind: "no-answer")
        assertCode(HTTPError.streamFailed(received: 40, detail: "circuit closed"), ExitCodes.unexpectedAnswer, kind: "bad-http")
        assertCode(DeviceError.http(device: "x", .connectionClosed(received: 0)), ExitCodes.offline, kind: "no-answer")
        assertCode(DeviceError.http(device: "x", .streamFailed(received: 0, detail: "x")), ExitCodes.offline, kind: "no-answer")
        assertCode(DeviceError.http(device: "x", .malformed("x")), ExitCodes.unexpectedAnswer, kind: "bad-http")
        XCTAssertTrue(DeviceError.http(device: "x", .connectionClosed(received: 0)).deviceNeverAnswered)
        XCTAssertFalse(DeviceError.http(device: "x", .connectionClosed(received: 1)).deviceNeverAnswered)
        XCTAssertTrue(DeviceError.unreachable(device: "x", .serviceOffline(onion: onion)).deviceNeverAnswered)
    }

    func testCircuitAndStreamErrors() {
        assertCode(CircuitError.closed, ExitCodes.offline, kind: "no-answer")
        assertCode(CircuitError.destroyed(.requested, byRelay: true), ExitCodes.offline, kind: "no-answer")
        assertCode(CircuitError.timedOut("waiting for INTRODUCE_ACK"), ExitCodes.offline)
        assertCode(CircuitError.truncated(.resourceLimit), ExitCodes.torFailure, kind: "tor")
        assertCode(CircuitError.channelClosed("EOF"), ExitCodes.torFailure, kind: "tor")
        assertCode(CircuitError.handshake("x"), ExitCodes.torFailure)
        assertCode(CircuitError.protocolViolation("x"), ExitCodes.torFailure)
        assertCode(StreamError.refused(.connectRefused), ExitCodes.offline, kind: "no-answer")
        assertCode(StreamError.closed, ExitCodes.offline)
        assertCode(StreamError.circuitFailed(.closed), ExitCodes.offline)
        assertCode(StreamError.circuitFailed(.handshake("x")), ExitCodes.torFailure)
        assertCode(StreamError.tooLarge(limit: 1), ExitCodes.unexpectedAnswer)
        assertCode(ChannelError.timedOut("TLS"), ExitCodes.torFailure, kind: "tor")
        assertCode(ChannelError.clockSkew(seconds: 7200, relay: "r"), ExitCodes.torFailure)
    }

    func testLocalErrors() {
        assertCode(TorClientError.configuration("bad network file"), ExitCodes.invalidInput, kind: "invalid-input")
        assertCode(DirectoryError.noDirectoryReachable([]), ExitCodes.noDirectory, kind: "no-directory")
        assertCode(CLIError.usage("x"), ExitCodes.invalidInput, kind: "invalid-input")
        assertCode(AddressBookError.corrupt(path: "p", line: 1, detail: "x"), ExitCodes.addressBook, kind: "corrupt-file")
        assertCode(AddressBookError.keyFile(path: "p", detail: "x"), ExitCodes.addressBook, kind: "key-file")
        assertCode(AddressBookError.lockTimeout(path: "p", seconds: 15), ExitCodes.addressBook)
        assertCode(AddressBookError.duplicateName("x"), ExitCodes.invalidInput)
        let refused = UnprotectedKeyError(path: "/k/a.auth_private", mode: 0o644, isFolder: false)
        assertCode(refused, ExitCodes.unprotectedKey, kind: "unprotected-key")
        assertCode(AddressBookError.unprotectedKey(refused), ExitCodes.unprotectedKey, kind: "unprotected-key")
        assertCode(CancellationError(), ExitCodes.unexpected, kind: "error")
    }

    func testTheHelpTextListsEveryCode() {
        for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 22] {
            XCTAssertTrue(ExitCodes.help.replacingOccurrences(of: "\n", with: " ").contains(" \(code) "), "exit code \(code) is not documented in --help")
        }
    }

    /// Issue 20 item 12: `--help` wrapped the table mid-sentence; each line now fits 80 columns.
    func testTheHelpTableNeverWraps() {
        for line in ExitCodes.help.split(separator: "\n") {
            XCTAssertLessThan(line.count, 80, "wraps in --help: \(line)")
        }
    }

    /// Issue 20 items 4 and 6: usage mistakes and command-decided failures use the same table.
    func testUsageAndCommandFailures() {
        assertCode(UsageError("Missing expected argument '<name>'"), ExitCodes.invalidInput, kind: "usage")
        assertCode(CommandFailure.noDirectory(CancellationError()), ExitCodes.noDirectory, kind: "no-directory")
        XCTAssertEqual(unknownCommand(in: ["stauts"])?.message, "unknown command 'stauts'; did you mean 'status'?")
        XCTAssertNil(unknownCommand(in: ["status"]))
        XCTAssertNil(unknownCommand(in: ["--json"]))
        XCTAssertEqual(joiningNegativeValues(["get", "--timeout", "-1", "x"]), ["get", "--timeout=-1", "x"])
        XCTAssertTrue(wantsJSON(["get", "--json"]))
        XCTAssertFalse(wantsJSON(["fetch", "--", "--json"]))
    }
}
