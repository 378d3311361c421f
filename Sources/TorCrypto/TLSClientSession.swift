import COpenSSL

/// A TLS client session over an already-connected, non-blocking socket, as Tor links need it:
/// TLS 1.2 or later, no certificate validation (relays authenticate in-protocol with CERTS
/// cells), no session tickets or compression, and the peer certificate kept for the CERTS check.
///
/// Not thread-safe: one thread drives a session (the channel's I/O thread).
public final class TLSClientSession: @unchecked Sendable {
    /// The result of a non-blocking operation.
    public enum Progress: Equatable, Sendable {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// - Parameters:
    ///   - socket: a connected TCP socket in non-blocking mode. The caller keeps ownership.
    ///   - serverName: an SNI name to send, as C tor sends a random `www.<random>.com`.
    public init(socket: Int32, serverName: String? = nil) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw CryptoError.openSSL(Self.lastError()) }
        self.context = context
        _ = onionctl_SSL_CTX_set_min_proto_version(context, onionctl_TLS1_2_VERSION())
        _ = onionctl_SSL_CTX_set_options(context, onionctl_SSL_OP_NO_TICKET() | onionctl_SSL_OP_NO_COMPRESSION())
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw CryptoError.openSSL(Self.lastError())
        }
        self.ssl = ssl
        _ = onionctl_SSL_set_mode_partial_write(ssl)
        if let serverName { _ = onionctl_SSL_set_tlsext_host_name(ssl, serverName) }
        guard SSL_set_fd(ssl, socket) == 1 else { throw CryptoError.openSSL(Self.lastError()) }
        SSL_set_connect_state(ssl)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Advances the handshake; `.done(0)` when it has completed.
    public func handshake() throws -> Progress {
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done(0) }
        return try progress(for: result)
    }

    /// Reads decrypted bytes into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Progress {
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 { return .done(Int(result)) }
        return try progress(for: result)
    }

    /// Writes bytes; may accept only part of them (`.done(n)`).
    public func write(_ buffer: UnsafeRawBufferPointer) throws -> Progress {
        guard buffer.count > 0 else { return .done(0) }
        let result = SSL_write(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 { return .done(Int(result)) }
        return try progress(for: result)
    }

    /// Whether OpenSSL holds decrypted bytes that a `read` would return without touching the socket.
    public var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    /// The DER encoding of the certificate the peer presented.
    public func peerCertificateDER() throws -> [UInt8] {
        guard let certificate = SSL_get1_peer_certificate(ssl) else {
            throw CryptoError.openSSL("the relay presented no TLS certificate")
        }
        defer { X509_free(certificate) }
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { throw CryptoError.openSSL(Self.lastError()) }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(certificate, &pointer)
        }
        return der
    }

    /// The negotiated protocol, e.g. "TLSv1.3".
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Sends a close_notify (best effort).
    public func shutdown() { _ = SSL_shutdown(ssl) }

    private func progress(for result: Int32) throws -> Progress {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            ERR_clear_error()
            return .closed
        default:
            throw CryptoError.openSSL("TLS error \(error): \(Self.lastError())")
        }
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown OpenSSL error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
