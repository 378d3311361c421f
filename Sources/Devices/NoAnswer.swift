import OnionService

// Whether a failure means the device never answered (exit code 6, "offline") or answered
// something unexpected (exit code 8). README.md's exit code table lists the whole mapping.

extension OnionServiceError {
    /// The service was not reached at all: not published, gone, no introduction or rendezvous,
    /// a timeout on the way, or its end refused the stream (nothing listens on the port).
    public var deviceNeverAnswered: Bool {
        switch self {
        case .descriptorNotFound, .serviceOffline, .introductionFailed, .rendezvousFailed, .timedOut, .streamRefused:
            return true
        case .invalidAddress, .clientAuthorizationRequired, .clientAuthorizationRejected, .badDescriptor, .network:
            return false
        }
    }
}

extension HTTPError {
    /// Nothing of the device's answer arrived: the exchange timed out, or the connection closed
    /// or failed before the first byte.
    public var deviceNeverAnswered: Bool {
        switch self {
        case .timedOut: return true
        case let .connectionClosed(received), let .streamFailed(received, _): return received == 0
        case .malformed, .headersTooLarge, .bodyTooLarge: return false
        }
    }
}

extension DeviceError {
    /// The device never answered (see ``OnionServiceError/deviceNeverAnswered`` and
    /// ``HTTPError/deviceNeverAnswered``); `status` shows such a device as offline.
    public var deviceNeverAnswered: Bool {
        switch self {
        case .timedOut: return true
        case let .unreachable(_, error): return error.deviceNeverAnswered
        case let .http(_, error): return error.deviceNeverAnswered
        default: return false
        }
    }

    /// ``kind``, except `no-answer` for an HTTP exchange that broke before the device's first byte
    /// (``kind`` says `bad-http` for every HTTP failure).
    public var answerKind: String {
        if case let .http(_, error) = self, error.deviceNeverAnswered { return "no-answer" }
        return kind
    }
}
