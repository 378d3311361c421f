import TorCrypto
import TorProto

/// Consensus diffs (prop 140, dir-spec "consensus diffs"): a directory server asked with
/// `X-Or-Diff-From-Consensus: <digest>` may answer with the ed-style changes from the consensus
/// the client holds to the current one instead of the whole document (a few KB instead of 3 MB on
/// the public network). Applied as C tor's `consdiff.c` does: commands come in reverse line
/// order; the base must match the diff's first digest (SHA3-256 of its signed part) and the result
/// its second (SHA3-256 of the whole document), or nothing is used.
public enum ConsensusDiff {
    static let versionLine = Array("network-status-diff-version 1".utf8)

    /// The header naming the held consensus: its signed part's SHA3-256 in hex.
    public static let requestHeader = "X-Or-Diff-From-Consensus"

    /// The value to send in ``requestHeader`` for `base`.
    public static func requestValue(for base: Consensus) -> String {
        upperHex(digestAsSigned(base))
    }

    /// SHA3-256 of the signed part of `consensus` (C tor: `digest_sha3_as_signed`).
    public static func digestAsSigned(_ consensus: Consensus) -> [UInt8] { consensus.signedDigestSHA3 }

    /// The same digest of a consensus's text, without parsing it: from `network-status-version`
    /// through the space after the first `directory-signature`; nil if the text is not shaped so.
    public static func digestAsSigned(text: [UInt8]) -> [UInt8]? {
        let start = Array("network-status-version ".utf8), marker = Array("\ndirectory-signature ".utf8)
        guard text.starts(with: start), let found = text.firstRange(of: marker) else { return nil }
        return Hash.sha3_256(text[0..<found.upperBound])
    }

    /// Whether a directory answer is a diff rather than a consensus.
    public static func looksLikeDiff(_ body: [UInt8]) -> Bool {
        body.count >= versionLine.count && Array(body.prefix(versionLine.count)) == versionLine
    }

    /// The text of the consensus `diff` leads to from `base`.
    public static func apply(_ diff: [UInt8], to base: Consensus) throws(ConsensusDiffError) -> [UInt8] {
        try apply(diff, toText: base.text, heldDigest: base.signedDigestSHA3)
    }

    /// The text of the consensus `diff` leads to from `baseText`, whose digest as signed is
    /// `heldDigest` (the held consensus's, its text read back from the cache). A base text that is
    /// not that consensus yields a result whose digest does not match, which is refused.
    public static func apply(_ diff: [UInt8], toText baseText: [UInt8], heldDigest: [UInt8]) throws(ConsensusDiffError) -> [UInt8] {
        let baseLines = try lines(of: baseText, what: "the held consensus")
        let diffLines = try lines(of: diff, what: "the diff")
        guard diffLines.count >= 2, Array(diff[diffLines[0]]) == versionLine else { throw .notADiff }
        let hashWords = diff[diffLines[1]].split(separator: 0x20)
        guard hashWords.count == 3, Array(hashWords[0]) == Array("hash".utf8),
              let baseDigest = bytesFromHex(String(decoding: hashWords[1], as: UTF8.self)), baseDigest.count == 32,
              let resultDigest = bytesFromHex(String(decoding: hashWords[2], as: UTF8.self)), resultDigest.count == 32 else {
            throw .badHeader(String(decoding: diff[diffLines[1]], as: UTF8.self))
        }
        guard constantTimeEquals(baseDigest, heldDigest) else { throw .baseMismatch }
        let result = try edit(baseText, baseLines, with: diff, diffLines[2...])
        guard constantTimeEquals(Hash.sha3_256(result), resultDigest) else { throw .resultMismatch }
        return result
    }

    /// Applies the ed commands; returns the new document's bytes.
    private static func edit(_ base: [UInt8], _ baseLines: [Range<Int>], with diff: [UInt8],
                             _ commands: ArraySlice<Range<Int>>) throws(ConsensusDiffError) -> [UInt8] {
        // Built from the end: pieces are appended last-first and reversed at the end.
        var pieces = [(bytes: [UInt8], lines: ArraySlice<Range<Int>>)]()
        var remaining = baseLines.count
        var index = commands.startIndex
        while index < commands.endIndex {
            let commandLine = index - commands.startIndex + 3
            let command = try Command(diff[commands[index]], baseLineCount: baseLines.count, line: commandLine)
            guard command.end <= remaining else {
                throw .badCommand(line: commandLine, "commands are not in reverse line order")
            }
            pieces.append((base, baseLines[command.end..<remaining]))
            if command.action != .append { remaining = command.start - 1 } else { remaining = command.end }
            index += 1
            if command.action != .delete {
                let first = index
                while index < commands.endIndex && Array(diff[commands[index]]) != [0x2E] { index += 1 }
                guard index < commands.endIndex else { throw .badCommand(line: commandLine, "added lines do not end with '.'") }
                guard index > first else { throw .badCommand(line: commandLine, "inserts no lines") }
                pieces.append((diff, commands[first..<index]))
                index += 1
            }
        }
        pieces.append((base, baseLines[0..<remaining]))
        var result = [UInt8]()
        result.reserveCapacity(base.count + diff.count)
        for piece in pieces.reversed() {
            for line in piece.lines {
                result += piece.bytes[line]
                result.append(0x0A)
            }
        }
        return result
    }

    /// One ed command: `N[,M|,$](a|c|d)`, line numbers from 1.
    struct Command {
        enum Action { case append, change, delete }
        var start: Int
        var end: Int
        var action: Action

        init(_ bytes: ArraySlice<UInt8>, baseLineCount: Int, line: Int) throws(ConsensusDiffError) {
            let text = String(decoding: bytes, as: UTF8.self)
            guard let last = text.last, text.count >= 2 else { throw .badCommand(line: line, "'\(text)' is not an ed command") }
            switch last {
            case "a": action = .append
            case "c": action = .change
            case "d": action = .delete
            default: throw .badCommand(line: line, "'\(text)': unknown ed command")
            }
            let range = text.dropLast().split(separator: ",", omittingEmptySubsequences: false)
            guard let start = Int(range[0]), range[0].allSatisfy(\.isASCIIDigit) else {
                throw .badCommand(line: line, "'\(text)': missing line number")
            }
            self.start = start
            switch range.count {
            case 1:
                end = start
            case 2 where range[1] == "$":
                guard action == .delete else { throw .badCommand(line: line, "'\(text)': '$' is allowed only with d") }
                end = baseLineCount
            case 2:
                guard let end = Int(range[1]), range[1].allSatisfy(\.isASCIIDigit) else {
                    throw .badCommand(line: line, "'\(text)': bad range end")
                }
                self.end = end
            default:
                throw .badCommand(line: line, "'\(text)': bad range")
            }
            if range.count == 2 {
                guard action != .append else { throw .badCommand(line: line, "'\(text)': 'a' takes one line number") }
                guard end > start else { throw .badCommand(line: line, "'\(text)': empty or reversed range") }
            }
            guard action == .append || start >= 1 else { throw .badCommand(line: line, "'\(text)': line 0 cannot be changed") }
        }
    }

    /// Line ranges (without their "\n"); the text must end with a newline.
    private static func lines(of text: [UInt8], what: String) throws(ConsensusDiffError) -> [Range<Int>] {
        guard text.last == 0x0A else { throw .unterminated(what) }
        var result = [Range<Int>]()
        var start = 0
        for index in text.indices where text[index] == 0x0A {
            result.append(start..<index)
            start = index + 1
        }
        return result
    }

}

/// Why a consensus diff was not used (the client then downloads the whole consensus).
public enum ConsensusDiffError: Error, Equatable, Sendable, CustomStringConvertible {
    case notADiff
    case badHeader(String)
    /// The diff was made from another consensus than the one held.
    case baseMismatch
    /// Applying it did not give the consensus it promised.
    case resultMismatch
    case badCommand(line: Int, String)
    case unterminated(String)

    public var description: String {
        switch self {
        case .notADiff: return "not a consensus diff (no 'network-status-diff-version 1' line)"
        case let .badHeader(line): return "bad diff hash line '\(line)'"
        case .baseMismatch: return "the diff was made from a different consensus than the one held"
        case .resultMismatch: return "applying the diff did not give the consensus it names (digest mismatch)"
        case let .badCommand(line, detail): return "diff line \(line): \(detail)"
        case let .unterminated(what): return "\(what) does not end with a newline"
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
