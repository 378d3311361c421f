import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The device's own record of the changes it applied (`--change-log FILE`): one JSON line per
/// state-changing request it answered with 2xx (PATCH/PUT/POST/DELETE), written after the state
/// was saved and before the answer leaves. `Benchmarks/soak` reconciles what the dashboard
/// intended and was told against this file: a change applied twice shows up as two lines.
public enum ChangeLog {
    /// Methods that change state; reads are not logged.
    static let changingMethods: Set<String> = ["PATCH", "PUT", "POST", "DELETE"]

    /// `handler`, with every applied change appended to `path`.
    public static func wrap(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse,
                            path: String) -> @Sendable (HTTPRequest) -> HTTPResponse {
        { request in
            let response = handler(request)
            if changingMethods.contains(request.method), (200..<300).contains(response.status) {
                append(line(for: request, status: response.status), to: path)
            }
            return response
        }
    }

    /// One record: time (ISO 8601 with milliseconds), method, path, status and the request body as text.
    static func line(for request: HTTPRequest, status: Int, at date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let record: [String: Any] = [
            "time": formatter.string(from: date), "unix": date.timeIntervalSince1970,
            "method": request.method, "path": request.path, "status": status,
            "body": String(decoding: request.body, as: UTF8.self),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Appends with O_APPEND in one write, so concurrent requests never interleave within a line.
    static func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else {
            FileHandle.standardError.write(Data("onion-device: cannot append to the change log \(path): errno \(errno)\n".utf8))
            return
        }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
