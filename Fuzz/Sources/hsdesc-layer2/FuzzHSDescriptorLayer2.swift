// HSDescriptorContent(plaintext:signingKey:): the decrypted encrypted layer (service options
// and introduction points, whose certificates are checked against the descriptor signing key).
// The seed is hsdesc1.txt's layer 2, decrypted (Fuzz/make-seeds); the key is that descriptor's
// signing key, so its introduction points verify.
import FuzzSupport
import OnionService

private let signingKey = fixedHex("0AD8AE6EA2C13F5302BE247D4B1016F5BAE330A4A0B90144FEF1E4BB7904E17A")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHSDescriptorLayer2(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let content = try? HSDescriptorContent(plaintext: bytes, signingKey: signingKey) else { return 0 }
    for point in content.introductionPoints {
        fuzzCheck(point.onionKey.count == 32, "intro point onion key size")
    }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzHSDescriptorLayer2) } }
