import TorCrypto
import TorProto

/// The encryption of both descriptor layers (rend-spec-v3 §2.5.3 [HS-DESC-ENCRYPTION-KEYS]):
///
///     blob         = SALT[16] | ENCRYPTED | MAC[32]
///     secret_input = SECRET_DATA | N_hs_subcred | INT_8(revision_counter)
///     keys         = SHAKE-256(secret_input | SALT | STRING_CONSTANT, 80)
///                  = SECRET_KEY[32] | SECRET_IV[16] | MAC_KEY[32]
///     MAC          = SHA3-256(INT_8(32) | MAC_KEY | INT_8(16) | SALT | ENCRYPTED)
///     plaintext    = AES-256-CTR(SECRET_KEY, SECRET_IV) ^ ENCRYPTED
enum HSDescriptorEncryption {
    static let saltLength = 16
    static let macLength = 32
    static let superencryptedConstant = HSPrimitives.ascii("hsdir-superencrypted-data")
    static let encryptedConstant = HSPrimitives.ascii("hsdir-encrypted-data")

    enum Failure: Error { case tooShort, badMAC }

    /// Checks the MAC, then decrypts. The plaintext is cut at its first NUL (layer padding).
    static func decrypt(blob: [UInt8], secretData: [UInt8], subcredential: [UInt8],
                        revisionCounter: UInt64, constant: [UInt8]) throws(Failure) -> [UInt8] {
        guard blob.count >= saltLength + macLength else { throw .tooShort }
        let salt = Array(blob[0..<saltLength])
        let encrypted = Array(blob[saltLength..<(blob.count - macLength)])
        let mac = Array(blob[(blob.count - macLength)...])
        let keys = Hash.shake256(secretData + subcredential + revisionCounter.bigEndianBytes + salt + constant,
                                 outputLength: 32 + 16 + 32)
        let secretKey = Array(keys[0..<32])
        let iv = Array(keys[32..<48])
        let macKey = Array(keys[48..<80])
        let expected = Hash.sha3_256(UInt64(32).bigEndianBytes + macKey + UInt64(saltLength).bigEndianBytes
                                     + salt + encrypted)
        guard constantTimeEquals(expected, mac) else { throw .badMAC }
        guard let cipher = try? AESCTR(key: secretKey, iv: iv) else { throw .badMAC }
        var plaintext = cipher.process(encrypted)
        if let nul = plaintext.firstIndex(of: 0) { plaintext.removeSubrange(nul...) }
        return plaintext
    }
}
