import FoundationEssentials

/// Why the client could not get a usable view of the network.
public enum DirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case noDirectoryReachable([String])
    case badResponse(String, String)
    /// The source answered 304 Not Modified: it has nothing newer than the consensus held.
    case nothingNewer(String)
    case rejectedConsensus(String)
    case timedOut(String)
    case notEnoughRelays(have: Int, of: Int)
    /// Too little of the network's bandwidth has microdescriptors to build safe paths (C tor's rule).
    case notEnoughPaths(String, needed: Int)
    /// Required protocols are missing; the text names them and says what to do (``ProtocolPolicy``).
    case missingProtocols(String)

    public var description: String {
        switch self {
        case let .noDirectoryReachable(attempts):
            return "no directory server answered (\(attempts.joined(separator: "; "))). Is the network up?"
        case let .badResponse(path, detail): return "bad directory answer for \(path): \(detail)"
        case let .nothingNewer(source): return "\(source) has nothing newer than the consensus held (304 Not Modified)"
        case let .rejectedConsensus(detail): return "the consensus was rejected: \(detail)"
        case let .timedOut(what): return "timed out \(what)"
        case let .notEnoughPaths(summary, needed):
            return "not enough of the network's microdescriptors to build safe paths: \(summary); \(needed)% is needed. "
                + "The directory sources withheld or lost some; the next refresh asks again"
        case let .notEnoughRelays(have, of):
            return "only \(have) of \(of) relays have microdescriptors; cannot build safe paths yet"
        case let .missingProtocols(explanation):
            return explanation
        }
    }
}
