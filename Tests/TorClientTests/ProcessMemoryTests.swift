#if canImport(Glibc)
import Glibc
import TorClient
import XCTest

/// ``ProcessMemory`` really gives freed heap pages back: memory freed in the middle of the heap
/// (a block still in use above it, so free() cannot trim the top) stays resident until
/// ``ProcessMemory/releaseFreePages()``.
final class ProcessMemoryTests: XCTestCase {
    private func residentAnonymousKB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    func testSettingsAreAccepted() {
        XCTAssertTrue(ProcessMemory.configureForLongRunning())
    }

    func testFreedPagesInTheMiddleOfTheHeapAreReleased() throws {
        // 32 MB in 2 kB blocks (below any mmap threshold), every page touched.
        let blockSize = 2048, count = 16_384
        var blocks = [UnsafeMutableRawPointer]()
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            let block = try XCTUnwrap(malloc(blockSize))
            memset(block, 0x5A, blockSize)
            blocks.append(block)
        }
        let keeper = try XCTUnwrap(malloc(blockSize))  // above them: the top cannot shrink
        memset(keeper, 1, blockSize)
        defer { free(keeper) }
        for block in blocks { free(block) }
        let freed = try residentAnonymousKB()
        ProcessMemory.releaseFreePages()
        let released = try residentAnonymousKB()
        XCTAssertGreaterThan(freed - released, 16_000, "RssAnon \(freed) kB after free, \(released) kB after releasing")
    }
}
#endif
