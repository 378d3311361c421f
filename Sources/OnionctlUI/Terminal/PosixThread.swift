#if canImport(Glibc)
import Glibc
#endif

/// The system has no thread to give (`pthread_create` failed with `code`).
public struct ThreadStartFailure: Error, CustomStringConvertible {
    public var name: String
    public var code: Int32
    public var description: String { "cannot start the \(name) thread: \(String(cString: strerror(code)))" }
}

/// Runs `body` on a new detached POSIX thread called `name` (Linux keeps 15 bytes of it).
///
/// Foundation's `Thread` would bring full Foundation (libFoundation and ICU) into the onionctl
/// process; the dashboard's ncurses thread and the proxy's poller need only this.
public func startPosixThread(name: String, _ body: @escaping @Sendable () -> Void) throws(ThreadStartFailure) {
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
    var thread = pthread_t()
    let created = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        nameThisThread(box.name)
        box.body()
        return nil
    }, box)
    if created != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        throw ThreadStartFailure(name: name, code: created)
    }
}

/// Names the calling thread (seen in `top -H`, gdb, /proc/<pid>/task/*/comm). glibc's
/// `pthread_setname_np` is not in Swift's Glibc module, so it is looked up at run time.
private func nameThisThread(_ name: String) {
    typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pthread_setname_np") else { return }
    _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
}
