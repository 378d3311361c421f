import FoundationEssentials
import OnionService
import TorClient

/// Why a device operation failed, in words a device owner can act on. Never contains key material.
public enum DeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Rejected locally before anything was sent.
    case invalidValue(String)
    /// The name is not in the address book.
    case noSuchDevice(String, known: [String])
    /// The command does not apply to this kind of device.
    case wrongKind(device: String, kind: DeviceKind, expected: DeviceKind)
    /// The device could not be reached (the Tor-level reason is attached).
    case unreachable(device: String, OnionServiceError)
    /// No answer within the time allowed.
    case timedOut(device: String, seconds: Double, what: String)
    /// The device answered with an HTTP error status.
    case rejected(device: String, status: Int, message: String, field: String?)
    /// The device answered 2xx, but not with what was asked for (or not in its documented format).
    case unexpectedAnswer(device: String, detail: String)
    /// The HTTP exchange broke (malformed or oversized response, stream closed early).
    case http(device: String, HTTPError)
    /// The Tor client could not get a usable directory (consensus, microdescriptors).
    case noDirectory(device: String, detail: String)
    /// Another Tor client failure (circuits, network).
    case tor(device: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidValue(detail): return detail
        case let .noSuchDevice(name, known): return AddressBookError.noSuchDevice(name, known: known).description
        case let .wrongKind(device, kind, expected):
            return "'\(device)' is a \(kind) device; this command works on \(expected) devices only (if the kind is wrong, change it with onionctl remove + add --kind)"
        case let .unreachable(device, error): return "\(device): \(error)"
        case let .timedOut(device, seconds, what):
            return "\(device): no answer within \(ThermostatReading.format(seconds)) s \(what). The device may be offline or overloaded; try again."
        case let .rejected(device, status, message, field):
            return "\(device) refused the request (HTTP \(status)\(field.map { ", field \($0)" } ?? "")): \(message)"
        case let .unexpectedAnswer(device, detail): return "\(device) answered unexpectedly: \(detail)"
        case let .http(device, error): return "\(device): \(error)"
        case let .noDirectory(device, detail): return "\(device): no usable Tor directory: \(detail)"
        case let .tor(device, detail): return "\(device): \(detail)"
        }
    }

    /// A short category for `--json` output and exit codes.
    public var kind: String {
        switch self {
        case .invalidValue: return "invalid-value"
        case .noSuchDevice: return "no-such-device"
        case .wrongKind: return "wrong-kind"
        case let .unreachable(_, error): return error.kind
        case .timedOut: return "timed-out"
        case .rejected: return "http-error"
        case .unexpectedAnswer: return "unexpected-answer"
        case .http: return "bad-http"
        case .noDirectory: return "no-directory"
        case .tor: return "tor"
        }
    }

    /// Whether the device looks offline (not published, no introduction/rendezvous, no answer).
    public var isOffline: Bool {
        switch self {
        case .timedOut: return true
        case let .unreachable(_, error):
            switch error {
            case .descriptorNotFound, .introductionFailed, .rendezvousFailed, .timedOut, .streamRefused: return true
            default: return false
            }
        default: return false
        }
    }

    /// Maps an error thrown while talking to `device` to a ``DeviceError``.
    public static func wrap(_ error: any Error, device: String) -> DeviceError {
        switch error {
        case let error as DeviceError: return error
        case let error as OnionServiceError: return .unreachable(device: device, error)
        case let error as HTTPError:
            if case let .timedOut(what) = error { return .timedOut(device: device, seconds: 0, what: what) }
            return .http(device: device, error)
        case let error as DirectoryError: return .noDirectory(device: device, detail: "\(error)")
        case is CancellationError: return .tor(device: device, detail: "cancelled")
        default: return .tor(device: device, detail: "\(error)")
        }
    }
}
