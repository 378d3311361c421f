import CCompression

/// Compressors for the tests, straight over the C libraries (onionctl itself only decompresses).
enum Compressors {
    static func zlib(_ input: [UInt8], gzip: Bool) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 9, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        var input = input
        let written = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return Int(stream.total_out)
            }
        }
        return Array(output[0..<written])
    }

    static func zstd(_ input: [UInt8], windowLog: Int32? = nil) -> [UInt8] {
        let context = ZSTD_createCCtx()!
        defer { ZSTD_freeCCtx(context) }
        if let windowLog {
            ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog)
            ZSTD_CCtx_setParameter(context, ZSTD_c_enableLongDistanceMatching, 1)
        }
        ZSTD_CCtx_setPledgedSrcSize(context, UInt64(input.count))
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inBytes in
                ZSTD_compress2(context, out.baseAddress, out.count, inBytes.baseAddress, inBytes.count)
            }
        }
        precondition(ZSTD_isError(written) == 0)
        return Array(output[0..<written])
    }

    /// The `.lzma` ("alone") container, as C tor's `compress_lzma.c` writes it.
    static func lzmaAlone(_ input: [UInt8]) -> [UInt8] {
        var stream = onionctl_lzma_stream_init()
        var options = lzma_options_lzma()
        precondition(lzma_lzma_preset(&options, 6) == 0)
        precondition(lzma_alone_encoder(&stream, &options) == LZMA_OK)
        defer { lzma_end(&stream) }
        var output = [UInt8](repeating: 0, count: input.count + input.count / 2 + 4096)
        let written = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = inBuffer.count
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = outBuffer.count
                precondition(lzma_code(&stream, LZMA_FINISH) == LZMA_STREAM_END)
                return Int(stream.total_out)
            }
        }
        return Array(output[0..<written])
    }
}
