import Foundation
import XCTest
@testable import TorDirectory
import TorProto

/// Loads test fixtures (see Fixtures/README.md for their sources).
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let base = Bundle.module.resourceURL else { throw NetDocumentError.wrongDocument("no bundle") }
        return [UInt8](try Data(contentsOf: base.appendingPathComponent("Fixtures").appendingPathComponent(name)))
    }

    static func string(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }

    /// The three chutney authorities that signed arti's `mdconsensus1.txt`.
    static let testAuthorities: [DirAuthority] = [
        ("test000a", "5A23BA701776C9C1AB1C06E734E92AB3D5350D64", 7000, 5000),
        ("test001a", "5696AB38CB3852AFA476A5C07B2D4788963D5567", 7001, 5001),
        ("test002a", "7C47DCB4A90E2C2B7C7AD27BD641D038CF5D7EBE", 7002, 5002),
    ].map { name, v3, dir, or in
        DirAuthority(nickname: name, address: "127.0.0.1", dirPort: UInt16(dir), orPort: UInt16(or),
                     fingerprint: [UInt8](repeating: UInt8(dir & 0xff), count: 20), v3Identity: bytesFromHex(v3)!)
    }

    static func testCertificates() throws -> [AuthorityCertificate] {
        try ["cert-5696.txt", "cert-5A23.txt", "cert-7C47.txt"].map { try AuthorityCertificate(bytes($0)) }
    }

    /// Inside `mdconsensus1.txt`'s validity window (12:42:40 … 12:43:20).
    static let mdNow = DirTime.parse("2020-08-07 12:43:00")!
    static let liveNow = DirTime.parse("2026-07-27 10:30:00")!
}

/// Replaces the first occurrence of `old` with `new` (same length, so offsets stay put).
func replacing(_ text: [UInt8], _ old: String, _ new: String) -> [UInt8] {
    let o = Array(old.utf8), n = Array(new.utf8)
    precondition(o.count == n.count)
    var out = text
    for start in 0...(text.count - o.count) where Array(text[start..<start + o.count]) == o {
        out.replaceSubrange(start..<start + o.count, with: n)
        return out
    }
    preconditionFailure("'\(old)' not found")
}
