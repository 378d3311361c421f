import TorCrypto
import TorDirectory
import TorProto

/// The decrypted superencrypted layer (rend-spec-v3 §2.5.1.2): the client-authorization data
/// and the layer-2 blob.
///
///     desc-auth-type x25519
///     desc-auth-ephemeral-key <base64 KP_hss_desc_enc>
///     auth-client <client-id 8> <iv 16> <encrypted-cookie 16>     (one or more, base64)
///     encrypted   (MESSAGE: the layer-2 blob)
///
/// Services without client authorization still write random `auth-client` lines, so their
/// presence says nothing; only decrypting layer 2 tells.
public struct HSDescriptorFirstLayer: Sendable {
    /// One `auth-client` line.
    public struct AuthClient: Sendable, Equatable {
        public var clientID: [UInt8]
        public var iv: [UInt8]
        public var encryptedCookie: [UInt8]
    }

    /// `desc-auth-type` (always `x25519` today).
    public let authType: String
    /// `desc-auth-ephemeral-key`: the service's x25519 key for this descriptor.
    public let ephemeralKey: [UInt8]
    public let authClients: [AuthClient]
    /// The layer-2 blob.
    public let encrypted: [UInt8]

    /// Length of the descriptor cookie in C tor (`HS_DESC_DESCRIPTOR_COOKIE_LEN`); the old spec
    /// text says 32, C writes and reads 16.
    public static let cookieLength = 16

    /// Parses an already decrypted layer-1 plaintext (a seam for fuzzing and tests; clients
    /// use ``HSDescriptor/decryptFirstLayer(subcredential:)``).
    public init(plaintext: [UInt8]) throws(HSDescriptorError) { try self.init(plaintext) }

    init(_ plaintext: [UInt8]) throws(HSDescriptorError) {
        let layer = "superencrypted layer"
        let document: NetDocument
        do { document = try NetDocument(plaintext) } catch { throw .malformed(line: nil, detail: "\(layer): \(error)") }
        let items = document.items
        guard items.first?.keyword == "desc-auth-type" else {
            throw .malformed(line: items.first?.line, detail: "\(layer): must start with 'desc-auth-type'")
        }
        let typeItem = try DescriptorLayer.exactlyOnce("desc-auth-type", in: items, layer: layer)
        let keyItem = try DescriptorLayer.exactlyOnce("desc-auth-ephemeral-key", in: items, layer: layer)
        let encryptedItem = try DescriptorLayer.exactlyOnce("encrypted", in: items, layer: layer)
        guard let type = typeItem.arguments.first else {
            throw .malformed(line: typeItem.line, detail: "\(layer): desc-auth-type needs an argument")
        }
        guard let keyText = keyItem.arguments.first else {
            throw .malformed(line: keyItem.line, detail: "\(layer): desc-auth-ephemeral-key needs an argument")
        }
        let key = try DescriptorLayer.base64(keyText, length: 32, what: "desc-auth-ephemeral-key",
                                             item: keyItem, layer: layer)
        var clients: [AuthClient] = []
        for item in items where item.keyword == "auth-client" {
            guard item.arguments.count >= 3 else {
                throw .malformed(line: item.line, detail: "\(layer): auth-client needs 3 arguments")
            }
            clients.append(AuthClient(
                clientID: try DescriptorLayer.base64(item.arguments[0], length: 8, what: "client id", item: item, layer: layer),
                iv: try DescriptorLayer.base64(item.arguments[1], length: 16, what: "auth-client iv", item: item, layer: layer),
                encryptedCookie: try DescriptorLayer.base64(item.arguments[2], length: Self.cookieLength,
                                                            what: "encrypted cookie", item: item, layer: layer)))
        }
        guard !clients.isEmpty else {
            throw .malformed(line: nil, detail: "\(layer): at least one auth-client line is required")
        }
        guard let blob = encryptedItem.object, blob.tag == "MESSAGE" else {
            throw .malformed(line: encryptedItem.line, detail: "\(layer): encrypted needs a MESSAGE object")
        }
        authType = type
        ephemeralKey = key
        authClients = clients
        encrypted = blob.bytes
    }

    /// The descriptor cookie for `clientKey`, or `nil` when no `auth-client` line is ours
    /// (rend-spec-v3 §2.5.1.2):
    ///
    ///     SECRET_SEED = X25519(client secret, desc-auth-ephemeral-key)
    ///     KEYS        = SHAKE-256(N_hs_subcred | SECRET_SEED, 40)
    ///     CLIENT-ID   = KEYS[0:8],  COOKIE-KEY = KEYS[8:40]
    ///     cookie      = AES-256-CTR(COOKIE-KEY, IV) ^ encrypted-cookie
    public func descriptorCookie(clientKey: X25519PrivateKey, subcredential: [UInt8]) -> [UInt8]? {
        guard authType == "x25519", var seed = try? clientKey.sharedSecret(with: ephemeralKey) else { return nil }
        var seedInput = subcredential + seed
        wipe(&seed)
        var keys = Hash.shake256(seedInput, outputLength: 40)
        wipe(&seedInput)
        let clientID = Array(keys[0..<8])
        var cookieKey = Array(keys[8..<40])
        wipe(&keys)
        defer { wipe(&cookieKey) }
        guard let entry = authClients.first(where: { constantTimeEquals($0.clientID, clientID) }),
              let cipher = try? AESCTR(key: cookieKey, iv: entry.iv) else { return nil }
        return cipher.process(entry.encryptedCookie)
    }
}
