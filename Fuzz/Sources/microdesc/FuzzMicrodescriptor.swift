// Microdescriptor.parseAll (a /tor/micro/d/ response or cache file), keeping all.
import FuzzSupport
import TorDirectory

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMicrodescriptor(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let batch = try? Microdescriptor.parseAll(bytes, wanted: nil) else { return 0 }
    for descriptor in batch.descriptors { _ = descriptor.digestBase64 }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzMicrodescriptor) } }
