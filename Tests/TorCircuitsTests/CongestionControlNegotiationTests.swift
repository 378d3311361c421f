import TorCrypto
import TorDirectory
import TorProto
import XCTest
@testable import TorCircuits

/// When the client asks a relay for congestion control in the ntor v3 handshake (proposal 324
/// §"Negotiating congestion control", as C tor's `circuit_pick_create_handshake` and
/// `client_circ_negotiation_message` decide), and what it accepts in the relay's answer.
final class CongestionControlNegotiationTests: XCTestCase {
    func target(flowCtrl2: Bool = true, ntorV3: Bool = true) -> ExtendTarget {
        ExtendTarget(nickname: "dir", ipv4: [127, 0, 0, 1], port: 5000, rsaIdentity: [UInt8](repeating: 1, count: 20),
                     ed25519Identity: [UInt8](repeating: 2, count: 32), ntorOnionKey: [UInt8](repeating: 3, count: 32),
                     supportsNtorV3: ntorV3, supportsCongestionControl: flowCtrl2)
    }

    let on = CongestionControlParameters(path: .directory)
    let off = CongestionControlParameters(consensus: ConsensusParams(["cc_alg": 0]), path: .directory)

    func testAskedOnlyOfAFlowCtrl2NtorV3RelayWhileTheConsensusTurnsItOn() {
        XCTAssertTrue(HopHandshake.wouldRequestCongestionControl(target: target(), parameters: on))
        XCTAssertFalse(HopHandshake.wouldRequestCongestionControl(target: target(), parameters: off), "cc_alg=0")
        XCTAssertFalse(HopHandshake.wouldRequestCongestionControl(target: target(), parameters: nil), "not an exit or directory hop")
        XCTAssertFalse(HopHandshake.wouldRequestCongestionControl(target: target(flowCtrl2: false), parameters: on), "no FlowCtrl=2")
        XCTAssertFalse(HopHandshake.wouldRequestCongestionControl(target: target(ntorV3: false), parameters: on), "ntor v1 carries no extensions")
    }

    /// The request is in the ntor v3 client message: the handshake a relay sees is type 3 either
    /// way, and only the asked-for one expects an answer.
    func testHandshakeCarriesTheRequestOnlyWhenDecided() throws {
        let asked = try HopHandshake(target: target(), congestionControl: on)
        XCTAssertTrue(asked.requestedCongestionControl)
        XCTAssertEqual(asked.type, HandshakeType.ntorV3)
        let notAsked = try HopHandshake(target: target(), congestionControl: off)
        XCTAssertFalse(notAsked.requestedCongestionControl)
        XCTAssertEqual(notAsked.type, HandshakeType.ntorV3)
        let v1 = try HopHandshake(target: target(ntorV3: false), congestionControl: on)
        XCTAssertFalse(v1.requestedCongestionControl)
        XCTAssertEqual(v1.type, HandshakeType.ntor)
        XCTAssertEqual(NtorV3Extensions.clientRequest(congestionControl: true).encoded(), [1, 1, 0])
        XCTAssertEqual(NtorV3Extensions.clientRequest(congestionControl: false).encoded(), [0])
    }

    func testRelayAnswerStartsVegasWithItsSendmeIncrement() throws {
        let answer = NtorV3Extensions([NtorV3Extension(type: NtorV3Extension.congestionControlResponse, body: [32])])
        let congestion = try XCTUnwrap(try HopHandshake.congestion(answer: answer, requested: on))
        XCTAssertEqual(congestion.vegas.sendmeIncrement, 32)
        XCTAssertEqual(congestion.vegas.parameters, on)
        XCTAssertEqual(congestion.vegas.cwnd, 124)
        // No answer (a relay with cc_alg=0 ignores the request): fixed windows.
        XCTAssertNil(try HopHandshake.congestion(answer: NtorV3Extensions(), requested: on))
        XCTAssertNil(try HopHandshake.congestion(answer: NtorV3Extensions([NtorV3Extension(type: 77, body: [1])]), requested: on))
    }

    func testAnswerOutsideTheConsensusRangeOrUnaskedIsRefused() {
        for increment: UInt8 in [29, 33, 0] {
            let answer = NtorV3Extensions([NtorV3Extension(type: NtorV3Extension.congestionControlResponse, body: [increment])])
            XCTAssertThrowsError(try HopHandshake.congestion(answer: answer, requested: on), "sendme_inc \(increment)")
        }
        let answer = NtorV3Extensions([NtorV3Extension(type: NtorV3Extension.congestionControlResponse, body: [31])])
        XCTAssertThrowsError(try HopHandshake.congestion(answer: answer, requested: nil)) {
            XCTAssertTrue("\($0)".contains("never requested"), "\($0)")
        }
    }

    /// One-hop directory circuits get C tor's `sbws` thresholds (`CC_PATH_SBWS`: two outbufs of cells).
    func testDirectoryPathUsesCTorsShortPathThresholds() {
        XCTAssertEqual([on.alpha, on.beta, on.gamma, on.delta, on.slowStartCap], [93, 155, 124, 248, 400])
        let tuned = CongestionControlParameters(consensus: ConsensusParams(["cc_vegas_alpha_sbws": 50, "cc_sscap_sbws": 10]),
                                                path: .directory)
        XCTAssertEqual([tuned.alpha, tuned.slowStartCap], [50, 100])
    }

    /// A relay of the directory is offered congestion control exactly when its `pr` line lists FlowCtrl=2.
    func testRelayListingFlowCtrl2IsOffered() throws {
        let relays = try fixtureDirectory().relays
        let offered = relays.filter(\.extendTarget.supportsCongestionControl)
        XCTAssertFalse(offered.isEmpty)
        XCTAssertEqual(offered.map(\.rsaIdentity), relays.filter { $0.status.protocols.supports("FlowCtrl", 2) }.map(\.rsaIdentity))
    }
}
