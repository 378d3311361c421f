// HSDescriptor(_:blindedPublicKey:now:): the outer layer of a v3 onion-service descriptor,
// with the blinded key and time of arti's hsdesc1.txt (the seed), so a well-formed input gets
// as far as the signature checks.
import Foundation
import FuzzSupport
import OnionService

/// arti `TEST_DATA_HS_BLIND_ID`, and 2023-01-24T03:00:00Z (see DescriptorTests.swift).
private let blindedKey = fixedHex("43cc0d62fc6252f578705ca645a46109e265290343b1137e90189744b20b3f2d")
private let now = Date(timeIntervalSince1970: 1_674_529_200)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHSDescriptorOuter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let descriptor = try? HSDescriptor(bytes, blindedPublicKey: blindedKey, now: now) else { return 0 }
    fuzzCheck(descriptor.signingKey.count == 32, "signing key size")
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzHSDescriptorOuter) } }
