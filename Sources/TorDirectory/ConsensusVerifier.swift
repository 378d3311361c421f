import FoundationEssentials
import TorCrypto

/// Checks a consensus against the configured authorities and their key certificates
/// (dir-spec §3.4.1 signatures; C `networkstatus_check_consensus_signature`):
///
/// - each `directory-signature` counts only if it names a configured v3 authority, a certificate
///   for that identity with that signing-key digest is known and valid at `now`, and the
///   signing key's PKCS#1 v1.5 signature recovers the signed digest;
/// - each authority counts once; more than half of the configured v3 authorities must sign;
/// - `valid-after ≤ now ≤ valid-until + slack`.
public struct ConsensusVerifier: Sendable {
    public let authorities: [DirAuthority]
    public let certificates: [AuthorityCertificate]

    /// `authorities`: the configured ones (non-v3 entries are ignored).
    /// `certificates`: candidate certificates; each is verified again here.
    public init(authorities: [DirAuthority], certificates: [AuthorityCertificate]) {
        self.authorities = authorities.filter(\.isV3)
        self.certificates = certificates
    }

    /// Signatures needed: more than half of the configured v3 authorities.
    public var requiredSignatures: Int { authorities.count / 2 + 1 }

    /// Verifies `consensus`. `liveSlack` allows use after `valid-until` (C tor's "reasonably
    /// live" rule allows up to 24 h; it is clamped to that). Throws ``ConsensusVerificationError``.
    @discardableResult
    public func verify(_ consensus: Consensus, now: Date, liveSlack: TimeInterval = 0) throws -> ConsensusVerification {
        guard !authorities.isEmpty else { throw ConsensusVerificationError.noAuthorities }
        let check = checkSignatures(consensus, now: now)
        guard check.signers.count >= requiredSignatures else {
            throw ConsensusVerificationError.notEnoughSignatures(
                signers: check.signers, required: requiredSignatures, configured: authorities.count, problems: check.problems)
        }
        let slack = min(max(liveSlack, 0), ConsensusVerifier.maximumLiveSlack)
        if now < consensus.validAfter {
            throw ConsensusVerificationError.notYetValid(validAfter: consensus.validAfter, now: now)
        }
        if now > consensus.validUntil.addingTimeInterval(slack) {
            throw ConsensusVerificationError.expired(validUntil: consensus.validUntil, now: now)
        }
        return ConsensusVerification(signers: check.signers, problems: check.problems,
                                      isLive: now <= consensus.validUntil, isFresh: now < consensus.freshUntil)
    }

    /// C tor keeps using a consensus up to 24 h past `valid-until` ("reasonably live").
    public static let maximumLiveSlack: TimeInterval = 24 * 3600

    /// Which configured authorities have a valid signature, and why the others do not.
    public func checkSignatures(_ consensus: Consensus, now: Date) -> (signers: [String], problems: [String]) {
        var signed = Set<[UInt8]>()
        var problems = [[UInt8]: String]()
        for signature in consensus.signatures {
            guard let authority = authorities.first(where: { $0.v3Identity == signature.identity }) else { continue }
            let identity = signature.identity
            if signed.contains(identity) { continue }
            let name = authority.nickname
            guard let digest = consensus.signedDigest(for: signature.algorithm) else {
                problems[identity] = problems[identity] ?? "\(name) signature uses unknown algorithm '\(signature.algorithm)'"
                continue
            }
            let candidates = certificates.filter { $0.fingerprint == identity && $0.signingKeyDigest == signature.signingKeyDigest }
            guard !candidates.isEmpty else {
                problems[identity] = "\(name) has no certificate for signing key \(upperHex(signature.signingKeyDigest))"
                continue
            }
            guard let certificate = candidates.first(where: { $0.isValid(trustedIdentities: [identity], now: now) }) else {
                let reason = candidates.compactMap { cert -> String? in
                    do { try cert.verify(trustedIdentities: [identity], now: now); return nil } catch { return "\(error)" }
                }.first ?? "invalid"
                problems[identity] = "\(name) certificate rejected: \(reason)"
                continue
            }
            guard let recovered = try? certificate.signingKey.recoverSignedData(signature.signature),
                  recovered.count >= digest.count,
                  constantTimeEquals(Array(recovered.prefix(digest.count)), digest) else {
                problems[identity] = "\(name) signature does not verify"
                continue
            }
            signed.insert(identity)
            problems[identity] = nil
        }
        var signers = [String](), messages = [String]()
        for authority in authorities {
            guard let identity = authority.v3Identity else { continue }
            if signed.contains(identity) {
                signers.append(authority.nickname)
            } else {
                messages.append(problems[identity] ?? "\(authority.nickname) did not sign")
            }
        }
        return (signers, messages)
    }
}

/// A successful verification.
public struct ConsensusVerification: Sendable, Equatable {
    /// Nicknames of the authorities whose signatures verified, in configuration order.
    public var signers: [String]
    /// Why the other configured authorities did not count.
    public var problems: [String]
    /// `now ≤ valid-until` (false: only "reasonably live", within the slack).
    public var isLive: Bool
    /// `now < fresh-until`.
    public var isFresh: Bool
}

/// Why a consensus is not acceptable.
public enum ConsensusVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    case noAuthorities
    case notEnoughSignatures(signers: [String], required: Int, configured: Int, problems: [String])
    case notYetValid(validAfter: Date, now: Date)
    case expired(validUntil: Date, now: Date)

    public var description: String {
        switch self {
        case .noAuthorities:
            return "no v3 directory authorities are configured"
        case let .notEnoughSignatures(signers, required, configured, problems):
            var text = "only \(signers.count) of \(configured) authorities signed (need \(required))"
            if !problems.isEmpty { text += ": " + problems.joined(separator: "; ") }
            return text
        case let .notYetValid(validAfter, now):
            return "consensus not yet valid until \(DirTime.format(validAfter)) UTC (now \(DirTime.format(now)) UTC)"
        case let .expired(validUntil, now):
            return "consensus expired at \(DirTime.format(validUntil)) UTC (now \(DirTime.format(now)) UTC)"
        }
    }
}
