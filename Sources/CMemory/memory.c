#include "onionctl_memory.h"
#include <stdlib.h>  /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__)
#include <malloc.h>

int onionctl_malloc_configure(void) {
    int ok = mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    ok &= mallopt(M_TRIM_THRESHOLD, 256 * 1024);
    ok &= mallopt(M_ARENA_MAX, 2);
    return ok ? 0 : -1;
}

int onionctl_malloc_release_free_pages(void) { return malloc_trim(0); }
#else
int onionctl_malloc_configure(void) { return 0; }
int onionctl_malloc_release_free_pages(void) { return 0; }
#endif
