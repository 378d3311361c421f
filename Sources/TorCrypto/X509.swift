import COpenSSL
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns an `X509` and frees it on release; never mutated after parsing.
final class X509Box: @unchecked Sendable {
    let cert: OpaquePointer
    init(_ cert: OpaquePointer) { self.cert = cert }
    deinit { X509_free(cert) }
}

/// An X.509 certificate, as carried in CERTS cells (type 1 link cert, type 2 RSA identity cert).
public struct X509Certificate: @unchecked Sendable {
    let box: X509Box
    /// The DER encoding as given.
    public let der: [UInt8]
    /// Start of validity.
    public let notBefore: Date
    /// End of validity.
    public let notAfter: Date

    /// Parses a DER certificate (trailing bytes are rejected).
    public init(der: [UInt8]) throws {
        guard !der.isEmpty else { throw CryptoError.decodingFailed("empty certificate") }
        let (cert, consumed): (OpaquePointer?, Int) = der.withUnsafeBufferPointer { buf in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            let c = d2i_X509(nil, &p, buf.count)
            return (c, p.map { $0 - buf.baseAddress! } ?? 0)
        }
        guard let cert else {
            throw CryptoError.decodingFailed(openSSLErrorString("not a DER X.509 certificate"))
        }
        let box = X509Box(cert)
        guard consumed == der.count else { throw CryptoError.decodingFailed("trailing bytes after certificate") }
        guard let nb = Self.date(X509_get0_notBefore(cert)), let na = Self.date(X509_get0_notAfter(cert)) else {
            throw CryptoError.decodingFailed("certificate has unreadable validity dates")
        }
        self.box = box
        self.der = der
        self.notBefore = nb
        self.notAfter = na
    }

    /// The subject public key, which must be RSA.
    public func rsaPublicKey() throws -> RSAPublicKey {
        guard let pkey = X509_get0_pubkey(box.cert) else {
            throw CryptoError.invalidKey(openSSLErrorString("certificate has no readable public key"))
        }
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
            throw CryptoError.invalidKey("certificate key is not RSA")
        }
        guard EVP_PKEY_up_ref(pkey) == 1 else { throw CryptoError.openSSL("EVP_PKEY_up_ref failed") }
        return try RSAPublicKey(box: PKeyBox(pkey))
    }

    /// True when the certificate's signature verifies under `key` (`X509_verify`).
    /// Validity dates are not checked here; compare `notBefore`/`notAfter` yourself.
    public func isSignatureValid(by key: RSAPublicKey) -> Bool {
        let ok = X509_verify(box.cert, key.box.pkey) == 1
        if !ok { ERR_clear_error() }
        return ok
    }

    private static func date(_ t: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let t else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(t, &parts) == 1 else { ERR_clear_error(); return nil }
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
