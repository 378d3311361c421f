// NetworkConfig(parsing:): the torrc-like network file (DirAuthority / FallbackDir lines).
import FuzzSupport
import TorDirectory

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetworkConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    guard let config = try? NetworkConfig(parsing: text) else { return 0 }
    _ = config.trustedIdentities
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzNetworkConfig) } }
