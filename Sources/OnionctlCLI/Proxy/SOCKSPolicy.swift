import OnionService
import TorCircuits
import TorClient

/// What `onionctl proxy` does with a request, and which SOCKS reply each failure gets. Pure.
///
/// onionctl is not an exit client: it reaches v3 onion services and nothing else. Requests for
/// anything else are refused as C tor refuses them on a `SocksPort … OnionTrafficOnly` (its
/// END_STREAM_REASON_ENTRYPOLICY, sent as "not allowed by ruleset", 0x02). Failures of the
/// embedded client are mapped as C tor maps the stream-end reasons (RESOLVEFAILED / NOROUTE →
/// host unreachable, TIMEOUT → TTL expired, CONNECTREFUSED / DONE → connection refused, the rest
/// → general failure); with `--extended-errors` the onion-service failures get the proposal 304
/// codes (0xF0–0xF7) that C tor sends with `ExtendedErrors` and arti sends always. The table is
/// in README.md ("onionctl proxy").
enum SOCKSPolicy {
    /// A request onionctl serves: CONNECT to a v3 onion address.
    struct Decision: Equatable {
        var address: OnionAddress
        var port: UInt16
    }

    /// Why a request is refused, and the reply that says so.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        var reply: SOCKSReply
        var reason: String
        var description: String { reason }
    }

    /// Accepts CONNECT to `<56 chars>.onion` (subdomains and a trailing dot allowed, any case,
    /// port 1–65535); refuses the rest with the reply C tor gives.
    static func decide(_ request: SOCKSRequest, extendedErrors: Bool) -> Result<Decision, Refusal> {
        guard request.command == .connect else {
            return .failure(Refusal(reply: .commandNotSupported, reason: "only CONNECT is supported (\(request.command))"))
        }
        let host: String
        switch request.target {
        case .ipv4, .ipv6:
            return .failure(Refusal(reply: .notAllowed,
                                    reason: "\(request.target) is an IP address: onionctl reaches onion services only"))
        case let .domain(bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .failure(Refusal(reply: .notAllowed, reason: "a host name that is not UTF-8: onionctl reaches onion services only"))
            }
            host = text
        }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard name.hasSuffix(".onion") else {
            return .failure(Refusal(reply: .notAllowed, reason: "\(host) is not an onion address: onionctl reaches onion services only"))
        }
        let address: OnionAddress
        do { address = try OnionAddress(name) } catch {
            // C tor: END_STREAM_REASON_TORPROTOCOL (general failure), extended HS_BAD_ADDRESS.
            return .failure(Refusal(reply: extendedErrors ? .onionBadAddress : .generalFailure,
                                    reason: "invalid onion address \(host): \(error)"))
        }
        guard request.port != 0 else {
            return .failure(Refusal(reply: .generalFailure, reason: "port 0 of \(host)"))
        }
        return .success(Decision(address: address, port: request.port))
    }

    /// The reply for a failed `TorClient.connect`.
    static func reply(for error: any Error, extendedErrors: Bool) -> SOCKSReply {
        switch error {
        case let error as OnionServiceError:
            switch error {
            case .invalidAddress: return extendedErrors ? .onionBadAddress : .generalFailure
            case .descriptorNotFound: return extendedErrors ? .onionDescriptorNotFound : .hostUnreachable
            case .clientAuthorizationRequired: return extendedErrors ? .onionMissingClientAuth : .hostUnreachable
            case .clientAuthorizationRejected: return extendedErrors ? .onionBadClientAuth : .hostUnreachable
            case .badDescriptor: return extendedErrors ? .onionDescriptorInvalid : .hostUnreachable
            case .introductionFailed, .serviceOffline: return extendedErrors ? .onionIntroductionFailed : .hostUnreachable
            case .rendezvousFailed: return extendedErrors ? .onionRendezvousFailed : .hostUnreachable
            case let .timedOut(_, phase):
                return extendedErrors && phase == .introduction ? .onionIntroductionTimedOut : .ttlExpired
            case .streamRefused: return .connectionRefused
            case .network: return .generalFailure
            }
        case let error as StreamError:
            switch error {
            case .refused, .closed: return .connectionRefused
            case let .circuitFailed(inner): return reply(for: inner, extendedErrors: extendedErrors)
            case .tooLarge: return .generalFailure
            }
        case let error as CircuitError:
            if case .timedOut = error { return .ttlExpired }
            return .generalFailure
        case is ProxyTimeout: return .ttlExpired
        case is DirectoryError: return .networkUnreachable
        default: return .generalFailure
        }
    }
}

/// The proxy's own bound on reaching a service (`--connect-timeout`).
struct ProxyTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "timed out after \(Int(seconds)) s" }
}
