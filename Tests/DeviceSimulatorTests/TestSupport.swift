import Foundation
import XCTest
@testable import DeviceSimulator
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh temporary directory, removed by the test's teardown.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "onion-device-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// A parsed response as seen by the raw client.
struct RawResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONParser.parse(body) }
}

enum RawClientError: Error { case connectFailed, timeout, closed, malformed(String) }

/// A minimal blocking HTTP client over a raw loopback socket, framing responses by
/// Content-Length or chunked encoding, never by EOF. All waits are bounded.
final class RawClient {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw RawClientError.connectFailed
        }
    }

    deinit { close(fd) }

    func transmit(_ text: String) { transmit(Array(text.utf8)) }

    func transmit(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// A request with Content-Length when there is a body.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) throws -> RawResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: device\r\n"
        for header in headers { text += header + "\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        transmit(text)
        return try readResponse()
    }

    /// Reads more bytes; false on EOF. Throws on timeout.
    private func fill(timeout: TimeInterval) throws -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { throw RawClientError.timeout }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { return false }
        pending += buffer[0..<count]
        return true
    }

    private func readLine(timeout: TimeInterval) throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill(timeout: timeout) else { throw RawClientError.closed }
        }
    }

    private func readBytes(_ count: Int, timeout: TimeInterval) throws -> [UInt8] {
        while pending.count < count {
            guard try fill(timeout: timeout) else { throw RawClientError.closed }
        }
        let bytes = Array(pending[..<count])
        pending.removeFirst(count)
        return bytes
    }

    func readResponse(timeout: TimeInterval = 5) throws -> RawResponse {
        let statusLine = try readLine(timeout: timeout)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw RawClientError.malformed(statusLine)
        }
        var headers = HTTPHeaders()
        while true {
            let line = try readLine(timeout: timeout)
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw RawClientError.malformed(line) }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body: [UInt8] = []
        if headers["Transfer-Encoding"] == "chunked" {
            while true {
                let sizeLine = try readLine(timeout: timeout)
                guard let size = Int(sizeLine, radix: 16) else { throw RawClientError.malformed(sizeLine) }
                if size == 0 {
                    _ = try readLine(timeout: timeout)
                    break
                }
                body += try readBytes(size, timeout: timeout)
                _ = try readLine(timeout: timeout)
            }
        } else if let length = headers["Content-Length"].flatMap(Int.init) {
            body = try readBytes(length, timeout: timeout)
        }
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// True when the server closed the connection within `timeout`; false when the connection
    /// stayed silent (no data, no EOF) for that long.
    func closedWithin(_ timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            do {
                if try !fill(timeout: max(0.01, deadline.timeIntervalSinceNow)) { return true }
            } catch {
                return false
            }
        }
        return false
    }

    /// Bytes received beyond the responses read so far.
    var unreadBytes: Int { pending.count }
}
