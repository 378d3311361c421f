#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts `body` on a new detached POSIX thread named `name` (truncated to the 15 bytes Linux keeps).
///
/// Used instead of Foundation's `Thread` so the Tor client needs only FoundationEssentials: full
/// Foundation (and the ICU data it maps) would triple the client's resident code pages.
/// - Throws: ``ThreadStartError`` when the system has no thread to give (the work is not run).
func startDetachedThread(name: String, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) throws(ThreadStartError) {
    final class Box: @unchecked Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
    }
    let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, stackSize)
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let created = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        nameCurrentThread(box.name)
        box.body()
        return nil
    }, box)
    if created != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        throw ThreadStartError(name: name, code: created)
    }
}

/// The system refused a new thread (`pthread_create` failed, usually for lack of memory or of
/// threads allowed to this process).
struct ThreadStartError: Error, CustomStringConvertible {
    var name: String
    var code: Int32
    var description: String { "cannot start thread '\(name)': \(String(cString: strerror(code)))" }
}

/// Names the calling thread (seen in `top -H`, gdb and crash reports). glibc's
/// `pthread_setname_np` is looked up at run time: the Glibc module declares it only under _GNU_SOURCE.
private func nameCurrentThread(_ name: String) {
    #if canImport(Glibc)
    typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pthread_setname_np") else { return }
    let short = String(decoding: name.utf8.prefix(15), as: UTF8.self)
    _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), short)
    #elseif canImport(Darwin)
    _ = pthread_setname_np(name)
    #endif
}
