// HSDescriptorFirstLayer(plaintext:): the decrypted superencrypted layer (client-auth lines and
// the layer-2 blob). The seed is hsdesc1.txt's layer 1, decrypted (Fuzz/make-seeds).
import FuzzSupport
import OnionService
import TorCrypto

/// Any x25519 key: exercises the cookie derivation over whatever auth-client lines parsed.
private let clientKey = try! X25519PrivateKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32))
private let subcredential = [UInt8](repeating: 0x22, count: 32)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHSDescriptorLayer1(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let layer = try? HSDescriptorFirstLayer(plaintext: bytes) else { return 0 }
    fuzzCheck(layer.ephemeralKey.count == 32 && !layer.authClients.isEmpty, "layer-1 fields")
    _ = layer.descriptorCookie(clientKey: clientKey, subcredential: subcredential)
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzHSDescriptorLayer1) } }
