import XCTest
@testable import TorCrypto

final class RSATests: XCTestCase {
    // arti crates/tor-llcrypto/tests/testvec.rs `tv_known_rsa` ("taken from a chutney
    // installation"): PKCS#1 public key, its RSA identity, and a PKCS#1-v1.5 signature over a
    // raw SHA-1 digest (no DigestInfo). The base64 is unpadded, as Tor writes it.
    static let publicKeyBase64 = """
        MIGJAoGBANUntsY9boHTnDKKlM4VfczcBE6xrYwhDJyeIkh7TPrebUBBvRBGmmV+
        PYK8AM9irDtqmSR+VztUwQxH9dyEmwrM2gMeym9uXchWd/dt7En/JNL8srWIf7El
        qiBHRBGbtkF/Re5pb438HC/CGyuujp43oZ3CUYosJOfY/X+sD0aVAgMBAAE
        """
    static let signatureBase64 = """
        i7BWpY6EgPCYQQQRL8yIba+2C/sASVWMmcD5x/aSlGVeuwna4h15SrOKAMZUBecE
        JtAqSDuSzXGn6FP9WXNdi+xe5GQznb1D3wjParTno1y/kYtJiRA5MrJ0E1cWhLl5
        rI2rzhqqBIhzFFaYuxyRAhkSBxCKTdl6X0k74ahT3MM
        """

    func testKnownKeyFingerprintAndRecover() throws {
        let der = try Base64.decode(Self.publicKeyBase64)
        let key = try RSAPublicKey(pkcs1DER: der)
        XCTAssertEqual(key.bits, 1024)
        XCTAssertTrue(key.exponentIs(65537))
        XCTAssertFalse(key.exponentIs(3))
        XCTAssertEqual(key.pkcs1DER, der)
        XCTAssertBytes(key.fingerprint, hex("9367f9781da8eabbf96b691175f0e701b43c602e"))
        let sig = try Base64.decode(Self.signatureBase64)
        XCTAssertBytes(try key.recoverSignedData(sig), hex("8c28f494a3ca4522926b177124a51158a790bec0"))
        XCTAssertTrue(key.isSignatureValid(sig, forDigest: hex("8c28f494a3ca4522926b177124a51158a790bec0")))
        XCTAssertFalse(key.isSignatureValid(sig, forDigest: hex("8c28f494a3ca4522926b177124a51158a790bec1")))
        var bad = sig; bad[5] ^= 0x40
        XCTAssertThrowsError(try key.recoverSignedData(bad)) { error in
            XCTAssertEqual(error as? CryptoError, .signatureInvalid)
        }
        XCTAssertFalse(key.isSignatureValid(bad, forDigest: hex("8c28f494a3ca4522926b177124a51158a790bec0")))
        XCTAssertThrowsError(try key.recoverSignedData([]))
        XCTAssertThrowsError(try key.recoverSignedData(Array(sig.prefix(100))))
    }

    // arti crates/tor-dirmgr/testdata/cert-5696.txt: an authority key certificate (chutney).
    static let authorityCert = """
dir-key-certificate-version 3
dir-address 127.0.0.1:7001
fingerprint 5696AB38CB3852AFA476A5C07B2D4788963D5567
dir-key-published 2020-08-07 12:40:25
dir-key-expires 2021-08-07 12:40:25
dir-identity-key
-----BEGIN RSA PUBLIC KEY-----
MIIBigKCAYEA5uDA8p4NhKPwOX/sMeMn6RtZLmNM2Ye4a1EPk2LQ7LYWQyeBZqsq
GzZnQANclC0YbGi7cw7GiGY6NKXZNWtaPxX5rCWOw8IhGjNo56/kSfHJX+Gvtzzp
dbxW/9JIYi8WyXQfMBhmfWtUrkdNIEyuW//H08haH+viCMePSv6zmPoc0xV//+XK
ycHe/hLQZMKHIhHLGz0k3fRtousy+3y/vQFjw2PVwMB7xXnbHFPc0b+jUU3QO2V6
jUAXVdIyHU+y1FzynUPo6C5d8mVQIlz/NcL1k0IKGUn1ItaQicYs28ooC+/I/lvV
yub7LHHN7HX2IBwKLf135DQvSwXBWBFYwaYWGKDyN6IOGxCncKp9Cplz+Dk8P93m
vTPYdpF0F0M1kP5dmakVqXyivJZMHGsQr2V0qGXr6I1wwu3SOdO0fmogWmEOmeT+
3L4elBnC9BjPhCfX7vnzksLp6BZe20Btiu1TqxA0SUTk3t2kOJulwDcgYAyUbKeJ
NSKK8YOMyhvrAgMBAAE=
-----END RSA PUBLIC KEY-----
dir-signing-key
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAld61NikA0aqQnT2rO6YRelSnWCZjC3axXlrRV5QP1vJrPOdRRS53
xHgkFEo8dX63X1bl67MBiZmgcP+cD/p9aFi9XGJyTU84wdBvmNU65LJ4sH0jKL1E
DBt9RiDFCh9MhxqniVBp91is7m5RKV34Cwyco3Ti54uLO0FNGAh49nvNyANO0FlQ
YFdM9yRQRciv20rWYO9M6brxK7LQMYVTg899yFnqa/vc+3USonKVLnmXeViNYyui
bekkmN6E9EtSujpsfVAwsMSZy73n0n/PTRfXa+58npNgNbxX6mgQ6i7Nhy9KyFP4
9BzKA9Q3CmeM/Z339awAtCtSaLoEb0Vh3QIDAQAB
-----END RSA PUBLIC KEY-----
dir-key-crosscert
-----BEGIN ID SIGNATURE-----
WKrcO0K/e8XWRhTD0fh7+fqTJvL3A296/Yad16SS6Bdz1yh/QihSpffdS3PBi+ka
WhHdXNYZJ68BPr4kNUC6xwlObeVlt0SVVpE2avqpfFtZL1pV6he2dNKZ5MMv6Ctm
7BOaavpLwcEyXs2H1XxH6wjQU719FCbvJvBESclAAIq3K3D5fmFg68RNWHHz3r3F
MyXnaR5bylKkgQHwwz5Q3HVjWUJ6S7Fz8KTfO1Q7rvfgHpXzYJqAyXivhaGnJmWQ
+zHVscRSI3NpGgqnzeqylXkZVqrHWNO5mkVSeMXt2hMYP61Zkm7KO6lqtOBON7Db
AKOs+q8j2T3XoR5VD9YtAQ==
-----END ID SIGNATURE-----
dir-key-certification
-----BEGIN SIGNATURE-----
fJEeVmr7caG8pfwO9XFeCGnWVgyqKSg90xpIfcWbPHrn5brAXEwJm/+dX7V9tazx
8y6i43ULt3MI+7Et2o46A3wYGA0a3OqpxAHdJjxeafJ9bDXRyVETh2MHsd0I337A
JhSuufKyGS+K2y20s2VYMPXkX2AFKpN1H0Stc7RdpssGyrmidZSXXzCgTitqn52g
Ms9iWjCU6Ra5AjMzp/D93CFZ0fYMhKot42ZXYJga8drQHdY06+5Fb7RSTpFs9vhf
t4XdeMef+N9ty/yaLNDmYiLJbKTTAarfkM2czXuuk3s+qwLN7+O4yGUNQz4tPJ8E
h7VALUNE80QNDLb4rXiIUE+EI3tCqo9mQ/tnCVVofM6sQyTFjTWyIIRBABnaODlO
meOIIEIR6ht2qSseZDe4dme7cg5/misTnIv7BNbErpYO5r9C2yHHFqSe8sivExCo
tEkNtxufKS2mn6Tkm7wcJfp1Temxk/INUtvPA6Dlf3wNTnwzuGfk7LWCQ9BPeFqv
-----END SIGNATURE-----
"""

    static func pem(after keyword: String) -> String {
        let lines = authorityCert.components(separatedBy: "\n")
        let start = lines.firstIndex(of: keyword)! + 1
        let end = lines[start...].firstIndex { $0.hasPrefix("-----END") }!
        return lines[start...end].joined(separator: "\n")
    }

    // dir-identity-key hashes to the `fingerprint` line.
    func testAuthorityIdentityFingerprint() throws {
        let identity = try RSAPublicKey(pem: Self.pem(after: "dir-identity-key"))
        XCTAssertEqual(identity.bits, 3072)
        XCTAssertBytes(identity.fingerprint, hex("5696AB38CB3852AFA476A5C07B2D4788963D5567"))
        let signing = try RSAPublicKey(pem: Self.pem(after: "dir-signing-key"))
        XCTAssertEqual(signing.bits, 2048)
        XCTAssertNotEqual(signing, identity)
    }

    // dir-key-crosscert (dir-spec §3.1): the signing key signs the identity fingerprint.
    func testAuthorityCrossCertRecoversFingerprint() throws {
        let signing = try RSAPublicKey(pem: Self.pem(after: "dir-signing-key"))
        let body = Self.pem(after: "dir-key-crosscert")
            .components(separatedBy: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let sig = try Base64.decode(body)
        XCTAssertBytes(try signing.recoverSignedData(sig), hex("5696AB38CB3852AFA476A5C07B2D4788963D5567"))
    }

    // dir-key-certification: the identity key signs SHA-1 of the text from the start through
    // "dir-key-certification\n".
    func testAuthorityCertificationSignature() throws {
        let identity = try RSAPublicKey(pem: Self.pem(after: "dir-identity-key"))
        let marker = "dir-key-certification\n"
        let signedEnd = Self.authorityCert.range(of: marker)!.upperBound
        let signed = Array(Self.authorityCert[..<signedEnd].utf8)
        let body = Self.pem(after: "dir-key-certification")
            .components(separatedBy: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let sig = try Base64.decode(body)
        XCTAssertTrue(identity.isSignatureValid(sig, forDigest: Hash.sha1(signed)))
        XCTAssertFalse(identity.isSignatureValid(sig, forDigest: Hash.sha1(signed + [0x20])))
    }

    func testMalformedKeysThrow() {
        XCTAssertThrowsError(try RSAPublicKey(pkcs1DER: []))
        XCTAssertThrowsError(try RSAPublicKey(pkcs1DER: bytes("not a key at all")))
        XCTAssertThrowsError(try RSAPublicKey(pkcs1DER: [0x30, 0x82, 0x01]))
        let der = try! Base64.decode(Self.publicKeyBase64)
        XCTAssertThrowsError(try RSAPublicKey(pkcs1DER: Array(der.prefix(der.count - 3))))
        XCTAssertThrowsError(try RSAPublicKey(pkcs1DER: der + [0, 0]))
        XCTAssertThrowsError(try RSAPublicKey(pem: "no pem here"))
        XCTAssertThrowsError(try RSAPublicKey(pem: "-----BEGIN RSA PUBLIC KEY-----\n!!!!\n-----END RSA PUBLIC KEY-----"))
    }
}
