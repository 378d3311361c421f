import CMemory

/// How an onionctl process keeps its resident memory near what it uses (issues 12 and 19).
///
/// With glibc's defaults a client that parses a multi-megabyte consensus every hour and opens
/// channels on new threads keeps freed memory resident: the mmap threshold rises to the largest
/// block freed so far (later directory buffers then come from the heap), each thread may get its
/// own arena (up to eight per core), and free pages inside an arena are returned only by trimming.
public enum ProcessMemory {
    /// Sets malloc up for a long-running client: a fixed 128 KiB mmap threshold, a 256 KiB trim
    /// threshold, two arenas. Call once, early in `main`, before threads start. Returns whether
    /// the C library accepted the settings (always true where they do not apply).
    @discardableResult
    public static func configureForLongRunning() -> Bool { onionctl_malloc_configure() == 0 }

    /// Returns the free pages of every malloc arena to the system; the client calls it after
    /// each directory bootstrap or refresh, when the old and transient documents are freed.
    public static func releaseFreePages() { _ = onionctl_malloc_release_free_pages() }
}
