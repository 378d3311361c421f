import Foundation
import OnionctlCLI
#if canImport(Glibc)
import Glibc
#endif

/// This process's resource use, read from /proc (Linux): resident memory, open descriptors, threads.
struct SoakProcessStats: Sendable, Codable, Equatable {
    var rssKB: Int
    var openFDs: Int
    var threads: Int
    /// malloc's view (glibc mallinfo2, every arena): bytes handed out (including mmapped blocks)
    /// and bytes the arenas hold from the system. A leak raises the first; fragmentation only
    /// the second (and RSS).
    var heapInUseKB: Int = -1
    var heapArenaKB: Int = -1

    static func current() -> SoakProcessStats {
        let status = readSmallFile("/proc/self/status") ?? ""
        func field(_ name: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? -1
            }
            return -1
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count).map { $0 - 1 } ?? -1  // minus the listing's own
        var stats = SoakProcessStats(rssKB: field("VmRSS"), openFDs: fds, threads: field("Threads"))
        if let (inUse, system) = mallocTotals() {
            stats.heapInUseKB = inUse / 1024
            stats.heapArenaKB = system / 1024
        }
        return stats
    }

    /// glibc's own totals over every arena, from `malloc_stats()` (which prints them to stderr:
    /// stderr is pointed at a temporary file for the call). nil where that is unavailable.
    static func mallocTotals() -> (inUse: Int, system: Int)? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_stats") else { return nil }
        let mallocStats = unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)
        let path = "/tmp/onionctl-soak-malloc-\(getpid())"
        let file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard file >= 0 else { return nil }
        defer { close(file); unlink(path) }
        let saved = dup(2)
        guard saved >= 0 else { return nil }
        dup2(file, 2)
        mallocStats()
        dup2(saved, 2)
        close(saved)
        guard let text = readSmallFile(path),
              let total = text.range(of: "Total (incl. mmap):") else { return nil }
        func number(after label: String) -> Int? {
            // "system bytes     =     135168": the label, padding, '=', padding, the number.
            guard let range = text.range(of: label, range: total.upperBound..<text.endIndex) else { return nil }
            let line = text[range.upperBound...].prefix { $0 != "\n" }
            return Int(line.drop { $0 == " " || $0 == "=" }.trimmingCharacters(in: .whitespaces))
        }
        guard let system = number(after: "system bytes"), let inUse = number(after: "in use bytes") else { return nil }
        return (inUse, system)
        #else
        return nil
        #endif
    }
}
