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
    /// The parameters congestion control will run with if the relay agrees; nil when it was not asked for.
    let congestionControl: CongestionControlParameters?

    /// - Parameter congestionControl: the consensus's congestion-control parameters when this hop
    ///   is the last of an exit or directory circuit (C tor's `for_exit_use`), nil otherwise; the
    ///   relay is asked only when ``wouldRequestCongestionControl(target:parameters:)`` says so.
    init(target: ExtendTarget, congestionControl: CongestionControlParameters? = nil) throws {
        let request = Self.wouldRequestCongestionControl(target: target, parameters: congestionControl)
        if let identity = target.ntorV3Identity {
            let message = NtorV3Extensions.clientRequest(congestionControl: request).encoded()
            kind = .ntorV3(try NtorV3ClientHandshake(relayEd25519ID: identity, relayOnionKey: target.ntorOnionKey,
                                                     message: message))
        } else {
            kind = .ntor(try NtorClientHandshake(relayID: target.rsaIdentity, relayOnionKey: target.ntorOnionKey))
        }
        self.congestionControl = request ? congestionControl : nil
    }

    /// Whether to ask `target` for congestion control, as C tor's client decides
    /// (`circuit_pick_create_handshake`, `client_circ_negotiation_message`): only for the last hop
    /// of an exit or directory circuit (`parameters` given), only when the consensus turns it on
    /// (`cc_alg` ≠ 0), and only to a relay that lists `FlowCtrl=2` and ntor v3 (`Relay=4`).
    static func wouldRequestCongestionControl(target: ExtendTarget, parameters: CongestionControlParameters?) -> Bool {
        guard let parameters, parameters.isEnabled else { return false }
        return target.supportsCongestionControl && target.ntorV3Identity != nil
    }

    /// Whether congestion control was asked for.
    var requestedCongestionControl: Bool { congestionControl != nil }

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
    /// congestion control to run on the hop when the relay agreed to it (nil: fixed windows).
    /// - Throws: on a bad reply, an answer to a request never made, or a `sendme_inc` the consensus
    ///   does not allow (C tor closes such a circuit too).
    func complete(reply: [UInt8]) throws -> (material: [UInt8], congestion: HopCongestion?) {
        switch kind {
        case let .ntor(handshake):
            return (try handshake.complete(reply: reply), nil)
        case let .ntorV3(handshake):
            var (message, material) = try handshake.complete(reply: reply)
            do {
                return (material, try Self.congestion(answer: try NtorV3Extensions(decoding: message), requested: congestionControl))
            } catch {
                wipe(&material)
                throw error
            }
        }
    }

    /// The hop's congestion control from the relay's answer extensions to what was `requested`.
    static func congestion(answer: NtorV3Extensions, requested: CongestionControlParameters?) throws -> HopCongestion? {
        guard let increment = try answer.congestionControlSendmeIncrement() else { return nil }
        guard let requested else {
            throw ProtoError.invalidValue(what: "ntor v3 reply", detail: "congestion control was agreed but never requested")
        }
        guard requested.acceptsSendmeIncrement(Int(increment)) else {
            throw ProtoError.invalidValue(what: "ntor v3 reply",
                                          detail: "sendme_inc \(increment) is not within 1 of the consensus's cc_sendme_inc \(requested.sendmeIncrement)")
        }
        return HopCongestion(vegas: VegasController(parameters: requested, sendmeIncrement: Int(increment)))
    }
}
