import TorCrypto
import TorProto

/// The client half of the handshake that adds one relay hop: ntor v3 when the relay supports it
/// (``ExtendTarget/ntorV3Identity``), ntor v1 otherwise.
struct HopHandshake {
    private enum Kind {
        case ntor(NtorClientHandshake)
        case ntorV3(NtorV3ClientHandshake)
    }

    private let kind: Kind

    /// - Parameter requestCongestionControl: ask the relay for congestion control (ntor v3
    ///   only); the caller must then run it on this hop if the relay agrees.
    init(target: ExtendTarget, requestCongestionControl: Bool = false) throws {
        if let identity = target.ntorV3Identity {
            let message = NtorV3Extensions.clientRequest(congestionControl: requestCongestionControl).encoded()
            kind = .ntorV3(try NtorV3ClientHandshake(relayEd25519ID: identity, relayOnionKey: target.ntorOnionKey,
                                                     message: message))
        } else {
            kind = .ntor(try NtorClientHandshake(relayID: target.rsaIdentity, relayOnionKey: target.ntorOnionKey))
        }
        self.requestedCongestionControl = requestCongestionControl && target.ntorV3Identity != nil
    }

    /// Whether congestion control was asked for.
    let requestedCongestionControl: Bool

    var type: UInt16 {
        switch kind {
        case .ntor: return HandshakeType.ntor
        case .ntorV3: return HandshakeType.ntorV3
        }
    }

    var onionskin: [UInt8] {
        switch kind {
        case let .ntor(handshake): return handshake.onionskin
        case let .ntorV3(handshake): return handshake.onionskin
        }
    }

    /// Checks the reply (CREATED2/EXTENDED2 handshake data); returns the tor1 key material and the
    /// `sendme_inc` the relay agreed to when congestion control was negotiated.
    func complete(reply: [UInt8]) throws -> (material: [UInt8], congestionSendmeIncrement: UInt8?) {
        switch kind {
        case let .ntor(handshake):
            return (try handshake.complete(reply: reply), nil)
        case let .ntorV3(handshake):
            var (message, material) = try handshake.complete(reply: reply)
            do {
                let increment = try NtorV3Extensions(decoding: message).congestionControlSendmeIncrement()
                if increment != nil && !requestedCongestionControl {
                    throw ProtoError.invalidValue(what: "ntor v3 reply", detail: "congestion control was agreed but never requested")
                }
                return (material, increment)
            } catch {
                wipe(&material)
                throw error
            }
        }
    }
}
