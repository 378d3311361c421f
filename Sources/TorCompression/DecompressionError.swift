/// Why a compressed directory answer was not accepted. Every case is the server's fault (or a
/// damaged transfer): the client should try another source.
public enum DecompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server named a `Content-Encoding` onionctl did not offer.
    case unknownEncoding(String)
    /// The answer would decompress to more than the caller allows for this document.
    case tooLarge(limit: Int)
    /// The answer expands more than ``DecompressionLimits/maxRatio`` times (a compression bomb,
    /// as C tor's `tor_compress_is_compression_bomb` judges it).
    case bomb(compressed: Int, decompressedAtLeast: Int)
    /// The library rejected the data.
    case corrupt(ContentEncoding, String)
    /// The data ended before the compressed stream did.
    case truncated(ContentEncoding)

    public var description: String {
        switch self {
        case let .unknownEncoding(name):
            return "the server answered with Content-Encoding '\(name)', which was not asked for"
        case let .tooLarge(limit):
            return "the answer decompresses to more than \(limit) bytes; refused"
        case let .bomb(compressed, decompressed):
            return "the answer expands from \(compressed) to more than \(decompressed) bytes: a compression bomb; refused"
        case let .corrupt(encoding, detail):
            return "the \(encoding) answer is corrupt: \(detail)"
        case let .truncated(encoding):
            return "the \(encoding) answer ended before its compressed stream did"
        }
    }
}

/// How far a compressed answer may expand.
public struct DecompressionLimits: Sendable, Equatable {
    /// Hard cap on the decompressed size, in bytes.
    public var maxOutput: Int
    /// Largest accepted ratio of decompressed to compressed size, checked once the output passes
    /// ``ratioCheckAfter`` bytes (C tor: 25 after 64 KiB).
    public var maxRatio: Int
    public var ratioCheckAfter: Int

    public init(maxOutput: Int, maxRatio: Int = 25, ratioCheckAfter: Int = 64 << 10) {
        self.maxOutput = maxOutput
        self.maxRatio = maxRatio
        self.ratioCheckAfter = ratioCheckAfter
    }

    /// The limit `output` bytes from `input` compressed bytes break, if any.
    func violation(input: Int, output: Int) -> DecompressionError? {
        if output > maxOutput { return .tooLarge(limit: maxOutput) }
        if output > ratioCheckAfter && output > input.multipliedReportingOverflow(by: maxRatio).partialValue {
            return .bomb(compressed: input, decompressedAtLeast: output)
        }
        return nil
    }
}
