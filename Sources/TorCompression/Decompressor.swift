import CCompression

/// Decompresses a whole directory answer with the system's zlib, zstd or liblzma, in bounded
/// chunks so a bomb is refused after at most one chunk past its limit.
public enum Decompressor {
    /// Output is produced (and the limits checked) this many bytes at a time.
    static let chunk = 64 << 10
    /// liblzma's memory limit for one stream (C tor's `compress_lzma.c`: 16 MiB).
    static let lzmaMemoryLimit: UInt64 = 16 << 20
    /// Largest zstd window accepted (2^23 = 8 MiB; the default would allow a server to make us
    /// allocate 128 MiB).
    static let zstdWindowLogMax: Int32 = 23
    /// `ZSTD_CONTENTSIZE_ERROR` (`0ULL - 2`); `ZSTD_CONTENTSIZE_UNKNOWN` is the one above it.
    static let zstdContentSizeError = UInt64.max - 1

    /// The decompressed form of `input`.
    public static func decompress(_ input: [UInt8], encoding: ContentEncoding,
                                  limits: DecompressionLimits) throws(DecompressionError) -> [UInt8] {
        switch encoding {
        case .identity:
            if input.count > limits.maxOutput { throw .tooLarge(limit: limits.maxOutput) }
            return input
        case .deflate: return try inflate(input, windowBits: 15, encoding: .deflate, limits: limits)
        case .gzip: return try inflate(input, windowBits: 15 + 16, encoding: .gzip, limits: limits)
        case .zstd: return try unzstd(input, limits: limits)
        case .lzma: return try unlzma(input, limits: limits)
        }
    }

    private static func inflate(_ input: [UInt8], windowBits: Int32, encoding: ContentEncoding,
                                limits: DecompressionLimits) throws(DecompressionError) -> [UInt8] {
        var stream = z_stream()
        guard onionctl_inflate_init2(&stream, windowBits) == Z_OK else { throw .corrupt(encoding, "zlib could not start") }
        defer { inflateEnd(&stream) }
        var output = DecompressedOutput()
        var buffer = [UInt8](repeating: 0, count: chunk)
        var input = input
        let inputCount = input.count
        let result: Result<Void, DecompressionError> = input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while true {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    return CCompression.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(buffer[0..<(chunk - Int(stream.avail_out))])
                if let error = limits.violation(input: inputCount, output: output.count) { return .failure(error) }
                switch status {
                case Z_STREAM_END:
                    return stream.avail_in == 0 ? .success(()) : .failure(.corrupt(encoding, "data after the end of the stream"))
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    return .failure(.truncated(encoding))
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return .failure(.corrupt(encoding, message))
                }
            }
        }
        try result.get()
        return output.joined()
    }

    private static func unzstd(_ input: [UInt8], limits: DecompressionLimits) throws(DecompressionError) -> [UInt8] {
        guard let context = onionctl_zstd_create_dctx() else { throw .corrupt(.zstd, "zstd could not start") }
        defer { ZSTD_freeDCtx(context) }
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, zstdWindowLogMax)
        var output = DecompressedOutput()
        var buffer = [UInt8](repeating: 0, count: chunk)
        let result: Result<Void, DecompressionError> = input.withUnsafeBytes { inBytes in
            // A frame that states its size is decoded into one buffer of that size.
            let stated = ZSTD_getFrameContentSize(inBytes.baseAddress, inBytes.count)
            if stated < zstdContentSizeError, stated <= UInt64(limits.maxOutput) { output.expect(Int(stated)) }
            var inBuffer = ZSTD_inBuffer(src: inBytes.baseAddress, size: inBytes.count, pos: 0)
            var frameDone = false
            while true {
                let (status, produced) = buffer.withUnsafeMutableBytes { outBytes in
                    var outBuffer = ZSTD_outBuffer(dst: outBytes.baseAddress, size: outBytes.count, pos: 0)
                    let status = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    return (status, outBuffer.pos)
                }
                if ZSTD_isError(status) != 0 {
                    return .failure(.corrupt(.zstd, String(cString: ZSTD_getErrorName(status))))
                }
                output.append(buffer[0..<produced])
                if let error = limits.violation(input: input.count, output: output.count) { return .failure(error) }
                frameDone = status == 0
                if inBuffer.pos == inBuffer.size && produced < chunk {
                    return frameDone ? .success(()) : .failure(.truncated(.zstd))
                }
            }
        }
        try result.get()
        return output.joined()
    }

    private static func unlzma(_ input: [UInt8], limits: DecompressionLimits) throws(DecompressionError) -> [UInt8] {
        var stream = onionctl_lzma_stream_init()
        guard lzma_alone_decoder(&stream, lzmaMemoryLimit) == LZMA_OK else { throw .corrupt(.lzma, "liblzma could not start") }
        defer { lzma_end(&stream) }
        var output = DecompressedOutput()
        var buffer = [UInt8](repeating: 0, count: chunk)
        let result: Result<Void, DecompressionError> = input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = inBuffer.count
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = outBuffer.count
                    return lzma_code(&stream, LZMA_FINISH)
                }
                output.append(buffer[0..<(chunk - stream.avail_out)])
                if let error = limits.violation(input: input.count, output: output.count) { return .failure(error) }
                switch status {
                case LZMA_STREAM_END:
                    return .success(())
                case LZMA_OK:
                    continue
                case LZMA_BUF_ERROR:
                    return .failure(.truncated(.lzma))
                case LZMA_MEMLIMIT_ERROR:
                    return .failure(.corrupt(.lzma, "it needs more than \(lzmaMemoryLimit >> 20) MiB to decode"))
                default:
                    return .failure(.corrupt(.lzma, "liblzma error \(status.rawValue)"))
                }
            }
        }
        try result.get()
        return output.joined()
    }
}

/// Decompressed bytes as they come, returned as one array of exactly their size: chunks are kept
/// apart and joined once (or written straight into a buffer of the size the stream stated), so a
/// megabyte answer neither peaks at three times its size while an array doubles nor keeps up to
/// twice its size afterwards (a consensus is held for an hour; issue 12).
struct DecompressedOutput {
    private var chunks = [[UInt8]]()
    private var single: [UInt8]?
    private(set) var count = 0

    /// The stream says it decodes to `size` bytes: collect into one buffer of that size.
    mutating func expect(_ size: Int) {
        var buffer = [UInt8]()
        buffer.reserveCapacity(size)
        single = buffer
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if single != nil, single!.count + bytes.count <= single!.capacity {
            single!.append(contentsOf: bytes)
            return
        }
        if let stated = single {  // more than the stream stated: fall back to chunks
            chunks.append(stated)
            single = nil
        }
        chunks.append(Array(bytes))
    }

    /// All the bytes, in one array.
    mutating func joined() -> [UInt8] {
        if let single { return single }
        if chunks.count == 1 { return chunks[0] }
        var result = [UInt8]()
        result.reserveCapacity(count)
        for chunk in chunks { result.append(contentsOf: chunk) }
        chunks = []
        return result
    }
}
