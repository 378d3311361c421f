// zlib (deflate, gzip), zstd and liblzma for Swift: the compressions tor's directory servers
// offer (dir-spec "Accept-Encoding"; prop 278).
#ifndef ONIONCTL_CCOMPRESSION_SHIM_H
#define ONIONCTL_CCOMPRESSION_SHIM_H
#include <stdlib.h>
#include <sys/mman.h>
#include <zlib.h>
/* ZSTD_createDCtx_advanced and ZSTD_customMem (exported by libzstd, declared as "static linking only"). */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <lzma.h>

/* Decoder buffers for zstd and liblzma. liblzma's dictionary (8 MiB for C tor's consensus) and
 * zstd's window are allocated per answer: from malloc, glibc's dynamic mmap threshold soon rises
 * past them and every later one lands in the heap, where the pages it touched stay resident
 * after it is freed (issue 12: several MB of RSS after a bootstrap). Buffers of 256 KiB and more
 * are therefore mapped and unmapped here directly; smaller ones come from malloc. A 16-byte header
 * holds the mapping's length (0 for malloc). */
#define ONIONCTL_DIRECT_MAP_FROM ((size_t)256 << 10)
#define ONIONCTL_ALLOC_HEADER ((size_t)16)

static inline void *onionctl_decoder_alloc(size_t size) {
    if (size > SIZE_MAX - ONIONCTL_ALLOC_HEADER) return NULL;
    size_t total = size + ONIONCTL_ALLOC_HEADER;
    char *base;
    if (size >= ONIONCTL_DIRECT_MAP_FROM) {
        void *mapped = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) return NULL;
        base = (char *)mapped;
        *(size_t *)base = total;
    } else {
        base = (char *)malloc(total);
        if (base == NULL) return NULL;
        *(size_t *)base = 0;
    }
    return base + ONIONCTL_ALLOC_HEADER;
}

static inline void onionctl_decoder_free(void *pointer) {
    if (pointer == NULL) return;
    char *base = (char *)pointer - ONIONCTL_ALLOC_HEADER;
    size_t mapped = *(size_t *)base;
    if (mapped != 0) munmap(base, mapped); else free(base);
}

static inline void *onionctl_zstd_alloc(void *opaque, size_t size) { (void)opaque; return onionctl_decoder_alloc(size); }
static inline void onionctl_zstd_free(void *opaque, void *address) { (void)opaque; onionctl_decoder_free(address); }

/** A zstd decompression context whose buffers come from onionctl_decoder_alloc. */
static inline ZSTD_DCtx *onionctl_zstd_create_dctx(void) {
    ZSTD_customMem memory = { onionctl_zstd_alloc, onionctl_zstd_free, NULL };
    return ZSTD_createDCtx_advanced(memory);
}

static inline void *onionctl_lzma_alloc(void *opaque, size_t count, size_t size) {
    (void)opaque;
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return onionctl_decoder_alloc(count * size);
}
static inline void onionctl_lzma_free(void *opaque, void *pointer) { (void)opaque; onionctl_decoder_free(pointer); }

/** liblzma's allocator for onionctl's decoders (set as lzma_stream.allocator). */
static const lzma_allocator onionctl_lzma_allocator = { onionctl_lzma_alloc, onionctl_lzma_free, NULL };

/// inflateInit2 is a macro in zlib.h; Swift cannot call it.
static inline int onionctl_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
/// LZMA_STREAM_INIT is a macro. The stream allocates through onionctl_lzma_allocator.
static inline lzma_stream onionctl_lzma_stream_init(void) {
    lzma_stream stream = LZMA_STREAM_INIT;
    stream.allocator = &onionctl_lzma_allocator;
    return stream;
}
#endif
