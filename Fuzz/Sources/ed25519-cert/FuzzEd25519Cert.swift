// Ed25519Certificate(bytes:) and validate(), against the embedded key and a fixed signer.
import Foundation
import FuzzSupport
import TorProto

/// The signing key of arti's test-vector certificates (cert-spec test vectors, see
/// Tests/TorProtoTests/CertificateVectorTests.swift) and a time they are valid at.
private let signer = fixedHex("F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B0")
private let now = Date(timeIntervalSince1970: 1_601_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEd25519Cert(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let cert = try? Ed25519Certificate(bytes: bytes) else { return 0 }
    fuzzCheck(cert.signedBytes + cert.signature == bytes, "signed bytes + signature == certificate")
    fuzzCheck(cert.certifiedKey.count == 32 && cert.signature.count == 64, "field sizes")
    _ = cert.expiration
    _ = try? cert.validate(expectedType: cert.certType, now: now)
    _ = try? cert.validate(expectedType: cert.certType, signer: signer, now: now)
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzEd25519Cert) } }
