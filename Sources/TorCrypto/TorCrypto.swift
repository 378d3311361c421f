/// TorCrypto: the only module that touches OpenSSL and libsodium.
public enum TorCryptoModule {}
