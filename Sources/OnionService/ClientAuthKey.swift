import FoundationEssentials
import TorCrypto
import TorDirectory

/// A client-authorization key for one onion service, in C tor's formats
/// (tor manual "CLIENT AUTHORIZATION"; C `hs_client.c parse_auth_file_content`):
///
/// - client side, a `<name>.auth_private` file in `ClientOnionAuthDir`:
///   `<56-char-address>:descriptor:x25519:<base32 private key>`
/// - service side, a `<name>.auth` file in the service's `authorized_clients/`:
///   `descriptor:x25519:<base32 public key>`
///
/// Keys are 32 bytes, written as 52 base32 characters without padding (either case is read;
/// upper case is written, as in the tor manual).
public struct ClientAuthKey: Sendable {
    public let address: OnionAddress
    public let privateKey: X25519PrivateKey

    public init(address: OnionAddress, privateKey: X25519PrivateKey) {
        self.address = address
        self.privateKey = privateKey
    }

    /// A fresh key for `address`.
    public static func generate(for address: OnionAddress) -> ClientAuthKey {
        ClientAuthKey(address: address, privateKey: .generate())
    }

    /// The x25519 public key the service operator adds.
    public var publicKey: [UInt8] { privateKey.publicKey }

    /// Parses one client line `<address>:descriptor:x25519:<base32 private key>`. The address
    /// may carry `.onion`. `lineNumber` only improves the error message.
    public init(line: String, lineNumber: Int? = nil) throws(ClientAuthKeyError) {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            .map { String($0).trimmingWhitespace() }
        guard fields.count == 4 else {
            throw .malformed(line: lineNumber, detail: "expected <onion address>:descriptor:x25519:<private key>, found \(fields.count) fields separated by ':'")
        }
        try Self.checkTypes(fields[1], fields[2], lineNumber: lineNumber)
        let address: OnionAddress
        do { address = try OnionAddress(fields[0]) } catch {
            throw .badAddress(line: lineNumber, error)
        }
        var key = try Self.decodeKey(fields[3], lineNumber: lineNumber)
        // The decoded key goes into wiped storage (X25519PrivateKey); this array is wiped here.
        defer { wipe(&key) }
        guard key.contains(where: { $0 != 0 }) else {
            throw .badKey(line: lineNumber, detail: "the private key is all zeros")
        }
        do { privateKey = try X25519PrivateKey(rawRepresentation: key) } catch {
            throw .badKey(line: lineNumber, detail: "\(error)")
        }
        self.address = address
    }

    /// The `.auth_private` line: `<56-char-address>:descriptor:x25519:<BASE32 PRIVATE KEY>`.
    public var clientLine: String {
        "\(address.base32):descriptor:x25519:\(Base32.encode(privateKey.rawRepresentation, uppercase: true))"
    }

    /// The service-side `.auth` line: `descriptor:x25519:<BASE32 PUBLIC KEY>`.
    public var serviceLine: String { Self.serviceLine(publicKey: publicKey) }

    /// Formats a service-side `.auth` line for a public key.
    public static func serviceLine(publicKey: [UInt8]) -> String {
        "descriptor:x25519:\(Base32.encode(publicKey, uppercase: true))"
    }

    /// Parses a service-side line `descriptor:x25519:<base32 public key>`, returning the key.
    public static func parseServiceLine(_ line: String, lineNumber: Int? = nil) throws(ClientAuthKeyError) -> [UInt8] {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            .map { String($0).trimmingWhitespace() }
        guard fields.count == 3 else {
            throw .malformed(line: lineNumber, detail: "expected descriptor:x25519:<public key>, found \(fields.count) fields separated by ':'")
        }
        try checkTypes(fields[0], fields[1], lineNumber: lineNumber)
        return try decodeKey(fields[2], lineNumber: lineNumber)
    }

    static func checkTypes(_ authType: String, _ keyType: String, lineNumber: Int?) throws(ClientAuthKeyError) {
        guard authType == "descriptor" else {
            throw .malformed(line: lineNumber, detail: "authorization type '\(authType)' is not supported, only 'descriptor'")
        }
        guard keyType == "x25519" else {
            throw .malformed(line: lineNumber, detail: "key type '\(keyType)' is not supported, only 'x25519'")
        }
    }

    static func decodeKey(_ text: String, lineNumber: Int?) throws(ClientAuthKeyError) -> [UInt8] {
        guard text.utf8.count == 52 else {
            throw .badKey(line: lineNumber, detail: "a key is 52 base32 characters, this one has \(text.utf8.count)")
        }
        guard let key = try? Base32.decode(text), key.count == 32 else {
            throw .badKey(line: lineNumber, detail: "the key is not valid base32 (letters a–z and digits 2–7)")
        }
        return key
    }
}

/// Why a client-authorization line or file could not be used.
public enum ClientAuthKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The line does not have the expected fields or types.
    case malformed(line: Int?, detail: String)
    /// The onion address part is invalid.
    case badAddress(line: Int?, OnionAddressError)
    /// The key part is invalid.
    case badKey(line: Int?, detail: String)
    /// A file could not be read.
    case unreadable(path: String, detail: String)

    public var description: String {
        func prefix(_ line: Int?) -> String { line.map { "line \($0): " } ?? "" }
        switch self {
        case let .malformed(line, detail): return "\(prefix(line))client authorization line is malformed: \(detail)"
        case let .badAddress(line, error): return "\(prefix(line))client authorization line has a bad onion address: \(error)"
        case let .badKey(line, detail): return "\(prefix(line))client authorization key is invalid: \(detail)"
        case let .unreadable(path, detail): return "cannot read \(path): \(detail)"
        }
    }
}

/// The keys of a `ClientOnionAuthDir`: every `*.auth_private` file, one key line each
/// (blank lines and `#` comments are tolerated).
public struct ClientAuthDirectory: Sendable {
    /// The key for each onion address (a later file wins for a repeated address).
    public let keys: [OnionAddress: ClientAuthKey]
    /// Files that were skipped, with the reason, so the app can show them.
    public let problems: [(file: String, error: ClientAuthKeyError)]

    /// Reads all `*.auth_private` files in `directory`.
    /// - Throws: ``ClientAuthKeyError/unreadable(path:detail:)`` when the directory cannot be listed.
    public init(directory: URL) throws(ClientAuthKeyError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw .unreadable(path: directory.path, detail: errorDetail(error))
        }
        var keys: [OnionAddress: ClientAuthKey] = [:]
        var problems: [(file: String, error: ClientAuthKeyError)] = []
        for name in names.sorted() where name.hasSuffix(".auth_private") {
            let url = directory.appendingPathComponent(name)
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                for key in try Self.parseFile(text) { keys[key.address] = key }
            } catch let error as ClientAuthKeyError {
                problems.append((name, error))
            } catch {
                problems.append((name, .unreadable(path: url.path, detail: errorDetail(error))))
            }
        }
        self.keys = keys
        self.problems = problems
    }

    /// The key lines of one file's text.
    public static func parseFile(_ text: String) throws(ClientAuthKeyError) -> [ClientAuthKey] {
        var result: [ClientAuthKey] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            result.append(try ClientAuthKey(line: line, lineNumber: offset + 1))
        }
        guard !result.isEmpty else { throw .malformed(line: nil, detail: "the file contains no key") }
        return result
    }

    /// The key for `address`, if any.
    public func key(for address: OnionAddress) -> ClientAuthKey? { keys[address] }
}
