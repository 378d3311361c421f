// Consensus (microdesc flavour): header, router entries, footer and signatures.
import FuzzSupport
import TorDirectory

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConsensus(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let consensus = try? Consensus(bytes) else { return 0 }
    _ = consensus.votingInterval
    _ = consensus.signedDigest(for: "sha256")
    _ = consensus.weight("Wgg")
    if let first = consensus.routers.first { _ = consensus.router(identity: first.rsaIdentity) }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzConsensus) } }
