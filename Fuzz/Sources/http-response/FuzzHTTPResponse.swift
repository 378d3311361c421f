// Devices.HTTPResponseParser: the input fed in pieces (size from the first byte, as Tor cells
// would deliver it), then finish() as at end of stream.
import Devices
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard let control = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    var parser = HTTPResponseParser(maxHeaderBytes: 4096, maxBodyBytes: 64 * 1024)
    parser.expectsBody = control & 1 == 0
    do {
        for piece in chunks(bytes, of: Int(control >> 1) * 4 + 1) {
            if let response = try parser.feed(piece) {
                fuzzCheck(response.body.count <= 64 * 1024, "body over the limit")
                return 0
            }
        }
        _ = try parser.finish()
    } catch {}
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzHTTPResponse) } }
