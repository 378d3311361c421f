// zlib (deflate, gzip), zstd and liblzma for Swift: the compressions tor's directory servers
// offer (dir-spec "Accept-Encoding"; prop 278).
#ifndef ONIONCTL_CCOMPRESSION_SHIM_H
#define ONIONCTL_CCOMPRESSION_SHIM_H
#include <zlib.h>
#include <zstd.h>
#include <lzma.h>

/// inflateInit2 is a macro in zlib.h; Swift cannot call it.
static inline int onionctl_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
/// LZMA_STREAM_INIT is a macro.
static inline lzma_stream onionctl_lzma_stream_init(void) {
    lzma_stream stream = LZMA_STREAM_INIT;
    return stream;
}
#endif
