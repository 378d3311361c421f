/// TorCrypto: the only module that touches OpenSSL and libsodium.
///
/// Hashes (`Hash`, `RunningDigest`), MAC/KDFs (`HMAC`, `HKDF`, `KDFTor`), `AESCTR`,
/// `X25519PrivateKey`, `Ed25519`/`Ed25519PrivateKey`/`Ed25519Blinding`, `RSAPublicKey`,
/// `X509Certificate`, `Base32`/`Base64`, `SecureRandom`, `SecretBytes`, `constantTimeEquals`.
/// All byte strings are `[UInt8]`.
public enum TorCryptoModule {}
