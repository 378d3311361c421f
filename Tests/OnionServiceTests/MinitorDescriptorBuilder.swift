import Foundation
import TorCrypto
import TorProto
@testable import OnionService

/// Builds v3 onion-service descriptors laid out byte for byte as Minitor writes them
/// (github jpbland1/minitor, src/onion_service.c: `d_generate_outer_descriptor`,
/// `d_generate_first_plaintext`, `d_generate_second_plaintext`, `d_generate_packed_crosscert`,
/// `d_encrypt_descriptor_plaintext`; src/encoding.c `v_base_64_encode`), signed and encrypted
/// with test keys. Written from reading that code; none of it is copied.
///
/// What Minitor does differently from C tor:
/// - every object body is one line of unpadded base64, and `-----END …-----` follows the last
///   base64 character on the same line;
/// - both encrypted layers end with `-----END MESSAGE-----` and no newline; the outer layer ends
///   with the signature and no newline;
/// - certificates carry the signing key in extension 4 with flags 1 and expire 3 hours after
///   the consensus valid-after hour;
/// - `descriptor-lifetime` is 180, the first layer has 16 random `auth-client` lines and a
///   random `desc-auth-ephemeral-key`, the second layer has only `create2-formats 2` and three
///   introduction points with two link specifiers each (IPv4, legacy ID).
///
/// Everything is derived from `seed`, so the output is the same on every run.
struct MinitorDescriptorBuilder {
    /// One introduction point's keys and relay.
    struct IntroPoint {
        var address: [UInt8]
        var port: UInt16
        var legacyID: [UInt8]
        var onionKey: [UInt8]
        var authKey: Ed25519PrivateKey
        var encKey: X25519PrivateKey
    }

    /// Stands for the blinded key `A'` (any Ed25519 key pair: the parser only checks that the
    /// certificate is signed by the key it is given).
    let blindedKey: Ed25519PrivateKey
    /// `KP_hs_desc_sign`.
    let signingKey: Ed25519PrivateKey
    let subcredential: [UInt8]
    let revisionCounter: UInt64
    /// The consensus valid-after time Minitor derives certificate expiry from.
    let validAfter: Date
    let introPoints: [IntroPoint]
    private let seed: UInt8

    init(seed: UInt8 = 1, revisionCounter: UInt64 = 1_234, validAfter: Date = Date(timeIntervalSince1970: 1_767_225_600)) throws {
        self.seed = seed
        blindedKey = try Ed25519PrivateKey(seed: Self.bytes(seed, "blinded", 32))
        signingKey = try Ed25519PrivateKey(seed: Self.bytes(seed, "signing", 32))
        subcredential = Self.bytes(seed, "subcredential", 32)
        self.revisionCounter = revisionCounter
        self.validAfter = validAfter
        introPoints = try (0..<3).map { index in
            IntroPoint(address: [10, 0, 0, UInt8(index + 1)], port: UInt16(9001 + index),
                       legacyID: Self.bytes(seed, "id\(index)", 20),
                       onionKey: Self.bytes(seed, "onion\(index)", 32),
                       authKey: try Ed25519PrivateKey(seed: Self.bytes(seed, "auth\(index)", 32)),
                       encKey: try X25519PrivateKey(rawRepresentation: Self.bytes(seed, "enc\(index)", 32)))
        }
    }

    /// The keys a client would derive for this descriptor.
    var keys: BlindedKeys { BlindedKeys(blindedPublicKey: blindedKey.publicKey, subcredential: subcredential) }

    /// A time at which the certificates are valid.
    var now: Date { validAfter.addingTimeInterval(3600) }

    /// Deterministic test bytes.
    static func bytes(_ seed: UInt8, _ label: String, _ count: Int) -> [UInt8] {
        Hash.shake256([seed] + Array("minitor-test \(label)".utf8), outputLength: count)
    }

    /// Minitor's `v_base_64_encode`: standard alphabet, no padding, no line breaks.
    static func base64(_ bytes: [UInt8]) -> String { Base64.encode(bytes, padding: false) }

    /// `d_generate_packed_crosscert`: a 140-byte Ed25519 certificate, base64 (187 characters).
    func crossCertificate(type: UInt8, certifiedKey: [UInt8], signer: Ed25519PrivateKey) -> String {
        let hours = UInt32(Int(validAfter.timeIntervalSince1970) / 3600 + 3)
        var body: [UInt8] = [1, type]
        body += [UInt8(hours >> 24), UInt8(hours >> 16 & 0xff), UInt8(hours >> 8 & 0xff), UInt8(hours & 0xff)]
        body += [1] + certifiedKey
        body += [1, 0, 32, 4, 1] + signer.publicKey
        body += signer.sign(body)
        precondition(body.count == 140)
        return Self.base64(body)
    }

    /// The link specifiers Minitor writes: NSPEC 2, IPv4 (6 bytes), legacy ID (20 bytes).
    static func linkSpecifiers(_ point: IntroPoint) -> [UInt8] {
        [2, 0, 6] + point.address + [UInt8(point.port >> 8), UInt8(point.port & 0xff)] + [2, 20] + point.legacyID
    }

    /// `d_generate_second_plaintext`.
    func secondLayerPlaintext() -> String {
        var text = "create2-formats 2\n"
        for point in introPoints {
            text += "introduction-point " + Self.base64(Self.linkSpecifiers(point)) + "\n"
            text += "onion-key ntor " + Self.base64(point.onionKey) + "\n"
            text += "auth-key\n-----BEGIN ED25519 CERT-----\n"
            text += crossCertificate(type: 0x09, certifiedKey: point.authKey.publicKey, signer: signingKey)
            text += "-----END ED25519 CERT-----\n"
            text += "enc-key ntor " + Self.base64(point.encKey.publicKey) + "\n"
            text += "enc-key-cert\n-----BEGIN ED25519 CERT-----\n"
            // Minitor certifies the Ed25519 form of the x25519 key; any key serves the parser.
            text += crossCertificate(type: 0x0B, certifiedKey: Self.bytes(seed, "enc-ed\(point.port)", 32), signer: signingKey)
            text += "-----END ED25519 CERT-----\n"
        }
        return text
    }

    /// `d_generate_first_plaintext` around the encrypted second layer.
    func firstLayerPlaintext(encryptedSecondLayer: [UInt8]) -> String {
        var text = "desc-auth-type x25519\n"
        text += "desc-auth-ephemeral-key " + Self.base64(Self.bytes(seed, "ephemeral", 32)) + "\n"
        for index in 0..<16 {
            text += "auth-client " + Self.base64(Self.bytes(seed, "client\(index)", 8))
            text += " " + Self.base64(Self.bytes(seed, "iv\(index)", 16))
            text += " " + Self.base64(Self.bytes(seed, "cookie\(index)", 16)) + "\n"
        }
        text += "encrypted\n-----BEGIN MESSAGE-----\n" + Self.base64(encryptedSecondLayer) + "-----END MESSAGE-----"
        return text
    }

    /// `d_encrypt_descriptor_plaintext` (rend-spec-v3 §2.5.3), salt from the seed.
    func encrypt(_ plaintext: [UInt8], constant: [UInt8], label: String) -> [UInt8] {
        let salt = Self.bytes(seed, "salt " + label, 16)
        let keys = Hash.shake256(blindedKey.publicKey + subcredential + revisionCounter.bigEndianBytes + salt + constant,
                                 outputLength: 80)
        let cipher = try! AESCTR(key: Array(keys[0..<32]), iv: Array(keys[32..<48]))
        let encrypted = cipher.process(plaintext)
        let mac = Hash.sha3_256(UInt64(32).bigEndianBytes + Array(keys[48..<80]) + UInt64(16).bigEndianBytes + salt + encrypted)
        return salt + encrypted + mac
    }

    /// `d_generate_outer_descriptor` without the signature line: the signed text.
    func outerBody(secondLayer: String? = nil) -> String {
        let inner = encrypt(Array((secondLayer ?? secondLayerPlaintext()).utf8),
                            constant: HSDescriptorEncryption.encryptedConstant, label: "inner")
        let first = encrypt(Array(firstLayerPlaintext(encryptedSecondLayer: inner).utf8),
                            constant: HSDescriptorEncryption.superencryptedConstant, label: "outer")
        var text = "hs-descriptor 3\ndescriptor-lifetime 180\ndescriptor-signing-key-cert\n-----BEGIN ED25519 CERT-----\n"
        text += crossCertificate(type: 0x08, certifiedKey: signingKey.publicKey, signer: blindedKey)
        text += "-----END ED25519 CERT-----\nrevision-counter \(revisionCounter)\nsuperencrypted\n-----BEGIN MESSAGE-----\n"
        text += Self.base64(first) + "-----END MESSAGE-----\n"
        return text
    }

    /// Signs `body` as Minitor does (prefix, then the text up to "signature ") and appends the
    /// signature line, without a final newline.
    func sign(_ body: String) -> [UInt8] {
        let signature = signingKey.sign(HSDescriptor.signaturePrefix + Array(body.utf8))
        return Array((body + "signature " + Self.base64(signature)).utf8)
    }

    /// The whole descriptor.
    func descriptor(secondLayer: String? = nil) -> [UInt8] { sign(outerBody(secondLayer: secondLayer)) }
}
