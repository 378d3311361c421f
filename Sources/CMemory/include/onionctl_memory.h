// glibc malloc tuning for onionctl's processes (malloc.h does not import into Swift's Glibc).
// On other C libraries both functions do nothing.
#ifndef ONIONCTL_MEMORY_H
#define ONIONCTL_MEMORY_H

/// Fixes malloc's mmap threshold at 128 KiB (glibc otherwise raises it to the size of each large
/// block freed, after which directory-sized buffers land in the heap and their pages stay
/// resident), with the trim threshold beside it, and caps the arenas at two (one per core on this
/// project's machines; glibc's default is eight per core, each keeping its own free pages).
/// Returns 0 if every setting was accepted.
int onionctl_malloc_configure(void);

/// Returns free heap pages of every arena to the system (glibc malloc_trim); returns 1 if any
/// memory was released.
int onionctl_malloc_release_free_pages(void);

#endif
