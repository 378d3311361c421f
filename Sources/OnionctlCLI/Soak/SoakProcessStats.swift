import Foundation

/// This process's resource use, read from /proc (Linux): resident memory, open descriptors, threads.
struct SoakProcessStats: Sendable, Codable, Equatable {
    var rssKB: Int
    var openFDs: Int
    var threads: Int

    static func current() -> SoakProcessStats {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? -1
            }
            return -1
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count).map { $0 - 1 } ?? -1  // minus the listing's own
        return SoakProcessStats(rssKB: field("VmRSS"), openFDs: fds, threads: field("Threads"))
    }
}
