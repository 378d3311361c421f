// AuthorityCertificate.parseAll (a /tor/keys response) and verification of what parses.
import Foundation
import FuzzSupport
import TorDirectory

private let now = Date(timeIntervalSince1970: 1_750_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthorityCertificate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let certificates = try? AuthorityCertificate.parseAll(bytes) else { return 0 }
    for certificate in certificates {
        _ = certificate.isValid(now: now)
        _ = certificate.signingKeyDigest
    }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzAuthorityCertificate) } }
