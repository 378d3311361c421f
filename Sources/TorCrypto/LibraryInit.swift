import COpenSSL
import CSodium

/// `sodium_init()` runs exactly once, the first time this global is read (Swift globals are
/// initialised lazily and thread-safely).
let sodiumInitialised: Bool = sodium_init() >= 0

/// Makes sure libsodium is initialised before any libsodium call.
@inline(__always)
func ensureSodium() {
    precondition(sodiumInitialised, "sodium_init() failed")
}

/// Drains OpenSSL's thread-local error queue into one string (for `CryptoError.openSSL`).
func openSSLErrorString(_ context: String) -> String {
    var parts: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        parts.append(String(decoding: bytes, as: UTF8.self))
    }
    return parts.isEmpty ? context : context + ": " + parts.joined(separator: "; ")
}

/// OpenSSL algorithm objects fetched once (explicit fetch avoids the per-call implicit
/// fetch that OpenSSL 3 does for `EVP_sha1()` and friends).
struct EVPAlgorithms: @unchecked Sendable {
    let sha1: OpaquePointer
    let sha256: OpaquePointer
    let sha3_256: OpaquePointer
    let shake256: OpaquePointer
    let aes128CTR: OpaquePointer
    let aes256CTR: OpaquePointer

    init() {
        func md(_ name: String) -> OpaquePointer {
            guard let p = EVP_MD_fetch(nil, name, nil) else {
                fatalError(openSSLErrorString("EVP_MD_fetch(\(name)) failed"))
            }
            return p
        }
        func cipher(_ name: String) -> OpaquePointer {
            guard let p = EVP_CIPHER_fetch(nil, name, nil) else {
                fatalError(openSSLErrorString("EVP_CIPHER_fetch(\(name)) failed"))
            }
            return p
        }
        sha1 = md("SHA1")
        sha256 = md("SHA256")
        sha3_256 = md("SHA3-256")
        shake256 = md("SHAKE256")
        aes128CTR = cipher("AES-128-CTR")
        aes256CTR = cipher("AES-256-CTR")
    }
}

/// The process-wide algorithm table (never freed).
let evp = EVPAlgorithms()
