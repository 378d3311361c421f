import Devices
import OnionService
import TorCircuits
import TorClient

/// onionctl's exit codes (documented in README.md and `onionctl --help`).
///
/// A device that never answered (not published, no introduction or rendezvous, a timeout, the
/// circuit or stream lost before its first byte) is 6, "offline"; 8 is only for a device that did
/// answer, with something unexpected (malformed HTTP, a body that is not the documented JSON, a
/// change it did not apply).
enum ExitCodes {
    static let ok: Int32 = 0
    static let unexpected: Int32 = 1
    static let invalidInput: Int32 = 2
    static let noDirectory: Int32 = 3
    static let noSuchDevice: Int32 = 4
    static let clientAuth: Int32 = 5
    static let offline: Int32 = 6
    static let torFailure: Int32 = 7
    static let unexpectedAnswer: Int32 = 8
    static let addressBook: Int32 = 9
    static let unprotectedKey: Int32 = 10
    static let httpError: Int32 = 22

    /// The table for `--help`: one code per line, each under 80 columns, so nothing wraps mid-sentence.
    static let help = """
        Exit codes (README.md has the kinds that --json errors carry):
          0  success (also: answering no at a question)
          1  unexpected failure
          2  invalid input: usage mistake, bad value, mistyped onion address,
             unreadable network file
          3  no Tor directory (no authority or directory mirror reachable or usable)
          4  no such device in the address book
          5  client authorization required or rejected
          6  device offline: it never answered (not published, introduction or
             rendezvous failed, timed out, connection lost before its answer)
          7  other Tor failure
          8  the device answered unexpectedly (malformed HTTP or JSON, change not
             confirmed)
          9  address book or key file unusable (corrupt, newer schema, locked,
             unwritable, missing folder)
         10  a key file or key folder others can read: refused (chmod 600 FILE /
             chmod 700 DIR)
         22  the device answered with an HTTP error
        """
}

/// The exit code for any error onionctl reports.
func onionctlExitCode(for error: any Error) -> Int32 {
    switch error {
    case let error as DeviceError:
        switch error {
        case .invalidValue, .wrongKind: return ExitCodes.invalidInput
        case .noSuchDevice: return ExitCodes.noSuchDevice
        case let .unreachable(_, inner): return onionctlExitCode(for: inner)
        case .timedOut: return ExitCodes.offline
        case .rejected: return ExitCodes.httpError
        case .unexpectedAnswer: return ExitCodes.unexpectedAnswer
        case let .http(_, inner): return onionctlExitCode(for: inner)
        case .noDirectory: return ExitCodes.noDirectory
        case .tor: return ExitCodes.torFailure
        }
    case let error as OnionServiceError:
        switch error {
        case .invalidAddress: return ExitCodes.invalidInput
        case .clientAuthorizationRequired, .clientAuthorizationRejected: return ExitCodes.clientAuth
        case .badDescriptor, .network: return ExitCodes.torFailure
        default: return error.deviceNeverAnswered ? ExitCodes.offline : ExitCodes.torFailure
        }
    case let error as HTTPError: return error.deviceNeverAnswered ? ExitCodes.offline : ExitCodes.unexpectedAnswer
    case let error as StreamError:
        switch error {
        case .refused, .closed: return ExitCodes.offline
        case let .circuitFailed(inner): return onionctlExitCode(for: inner)
        case .tooLarge: return ExitCodes.unexpectedAnswer
        }
    case let error as CircuitError:
        switch error {
        case .timedOut, .closed, .destroyed: return ExitCodes.offline
        case .truncated, .channelClosed, .handshake, .protocolViolation: return ExitCodes.torFailure
        }
    case is ChannelError: return ExitCodes.torFailure
    case let error as AddressBookError:
        switch error {
        case .noSuchDevice: return ExitCodes.noSuchDevice
        case .invalidName, .duplicateName, .duplicateAddress: return ExitCodes.invalidInput
        case .unprotectedKey: return ExitCodes.unprotectedKey
        case .corrupt, .newerSchema, .keyFile, .lockTimeout, .io: return ExitCodes.addressBook
        }
    case is UnprotectedKeyError: return ExitCodes.unprotectedKey
    case let error as CommandFailure: return error.code
    case is HTTPStatusFailure: return ExitCodes.httpError
    case is UsageError: return ExitCodes.invalidInput
    case let error as KeyFileAccess.Failure:
        if case .unprotected = error { return ExitCodes.unprotectedKey }
        return ExitCodes.addressBook
    case is CLIError, is ClientAuthKeyError, is OnionAddressError, is TorClientError: return ExitCodes.invalidInput
    case is DirectoryError: return ExitCodes.noDirectory
    default: return ExitCodes.unexpected
    }
}

/// A category for `--json` error objects.
func errorKind(_ error: any Error) -> String {
    switch error {
    case let error as DeviceError: return error.answerKind
    case let error as OnionServiceError: return error.kind
    case let error as AddressBookError: return error.kind
    case is UnprotectedKeyError: return "unprotected-key"
    case let error as CommandFailure: return error.kind
    case is HTTPStatusFailure: return "http-error"
    case is UsageError: return "usage"
    case let error as KeyFileAccess.Failure:
        if case .unprotected = error { return "unprotected-key" }
        return "key-file"
    case let error as HTTPError: return error.deviceNeverAnswered ? "no-answer" : "bad-http"
    case is StreamError, is CircuitError, is ChannelError:
        return onionctlExitCode(for: error) == ExitCodes.offline ? "no-answer" : "tor"
    case is CLIError, is ClientAuthKeyError, is OnionAddressError, is TorClientError: return "invalid-input"
    case is DirectoryError: return "no-directory"
    default: return "error"
    }
}
