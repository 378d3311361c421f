// NetDocument: the item/object tokenizer under every directory document and descriptor layer.
import FuzzSupport
import TorDirectory

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let document = try? NetDocument(bytes) else { return 0 }
    for item in document.items {
        fuzzCheck(0 <= item.startOffset && item.startOffset <= item.endOffset && item.endOffset <= bytes.count,
                  "item offsets inside the text")
        _ = try? item.argument(0)
        _ = item.object?.bytes.count
    }
    if let first = document.items.first { _ = try? document.required(first.keyword) }
    return 0
}

@main enum Main { static func main() { runFuzzer(fuzzNetDocument) } }
