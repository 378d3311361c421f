import FoundationEssentials
import TorDirectory
import TorProto

/// The decrypted inner (encrypted) layer of a descriptor (rend-spec-v3 §2.5.2.2, prop 324 §9.1,
/// prop 327 §3.1): service options and its introduction points.
///
///     create2-formats 2
///     intro-auth-required ed25519        (optional, unused by C tor)
///     single-onion-service               (optional)
///     flow-control 1-2 31                (optional)
///     pow-params v1 <seed> <effort> <expiration>   (zero or more)
///     introduction-point …               (zero or more sections, see ``IntroductionPoint``)
///
/// Unknown lines are ignored. An introduction point that fails to parse or verify is left out
/// (like C tor) and its reason recorded in ``skippedIntroductionPoints``.
public struct HSDescriptorContent: Sendable {
    /// `flow-control`: supported FlowCtrl protocol versions and the SENDME increment.
    public struct FlowControl: Sendable, Equatable {
        public var versions: String
        public var sendmeIncrement: Int
    }

    /// One `pow-params` line. Only `v1` fields are decoded; other types keep their arguments.
    public struct PowParams: Sendable, Equatable {
        public var type: String
        public var arguments: [String]
        /// v1: the 32-byte seed.
        public var seed: [UInt8]?
        /// v1: the suggested effort.
        public var suggestedEffort: UInt32?
        /// v1: when these parameters stop being valid.
        public var expiration: Date?
    }

    public let create2Formats: [Int]
    /// `intro-auth-required` key types, if the line is present (C tor never acts on it).
    public let introAuthRequired: [String]?
    public let isSingleOnionService: Bool
    public let flowControl: FlowControl?
    /// Proof-of-work parameters; `v1` is acted on when introducing (``IntroductionProofOfWork``).
    public let powParams: [PowParams]
    public let introductionPoints: [IntroductionPoint]
    /// Why some `introduction-point` sections were left out (empty normally).
    public let skippedIntroductionPoints: [String]
    /// True when layer 2 was opened with a descriptor cookie from our client key.
    public let usedClientAuthorization: Bool

    static let layer = "encrypted layer"

    /// Parses an already decrypted layer-2 plaintext whose intro-point certificates must be
    /// signed by `signingKey` (a seam for fuzzing and tests; clients use
    /// ``HSDescriptor/decrypt(subcredential:clientAuthKey:)``).
    /// Certificates must be valid at `now`.
    public init(plaintext: [UInt8], signingKey: [UInt8], now: Date = Date()) throws(HSDescriptorError) {
        try self.init(plaintext, signingKey: signingKey, usedClientAuthorization: false, now: now)
    }

    init(_ plaintext: [UInt8], signingKey: [UInt8], usedClientAuthorization: Bool, now: Date) throws(HSDescriptorError) {
        let layer = Self.layer
        let document: NetDocument
        do { document = try NetDocument(plaintext) } catch { throw .malformed(line: nil, detail: "\(layer): \(error)") }
        let items = document.items
        let sectionStart = items.firstIndex { $0.keyword == "introduction-point" } ?? items.count
        let header = Array(items[..<sectionStart])

        guard let first = header.first, first.keyword == "create2-formats" else {
            throw .malformed(line: items.first?.line, detail: "\(layer): must start with 'create2-formats'")
        }
        _ = try DescriptorLayer.exactlyOnce("create2-formats", in: header, layer: layer)
        var formats: [Int] = []
        for argument in first.arguments {
            guard let value = Int(argument) else {
                throw .malformed(line: first.line, detail: "\(layer): create2-formats has a bad value '\(argument)'")
            }
            formats.append(value)
        }
        create2Formats = formats

        var introAuth: [String]?
        var singleOnion = false
        var flowControl: FlowControl?
        var pow: [PowParams] = []
        var seen = Set<String>()
        for item in header.dropFirst() {
            switch item.keyword {
            case "intro-auth-required", "single-onion-service", "flow-control":
                guard seen.insert(item.keyword).inserted else {
                    throw .malformed(line: item.line, detail: "\(layer): '\(item.keyword)' may appear only once")
                }
            default: break
            }
            switch item.keyword {
            case "intro-auth-required":
                introAuth = item.arguments
            case "single-onion-service":
                singleOnion = true
            case "flow-control":
                guard item.arguments.count >= 2, let increment = Int(item.arguments[1]) else {
                    throw .malformed(line: item.line, detail: "\(layer): flow-control needs a version range and a SENDME increment")
                }
                flowControl = FlowControl(versions: item.arguments[0], sendmeIncrement: increment)
            case "pow-params":
                let params = try Self.parsePowParams(item)
                if params.type == "v1", pow.contains(where: { $0.type == "v1" }) {
                    throw .malformed(line: item.line, detail: "\(layer): pow-params v1 appears twice")
                }
                pow.append(params)
            default:
                continue  // unknown lines are ignored
            }
        }
        introAuthRequired = introAuth
        isSingleOnionService = singleOnion
        self.flowControl = flowControl
        powParams = pow

        // Split the rest into introduction-point sections.
        var points: [IntroductionPoint] = []
        var skipped: [String] = []
        var index = sectionStart
        while index < items.count {
            var end = index + 1
            while end < items.count && items[end].keyword != "introduction-point" { end += 1 }
            do {
                points.append(try IntroductionPoint(section: Array(items[index..<end]), signingKey: signingKey, now: now))
            } catch {
                skipped.append(error.description)
            }
            index = end
        }
        introductionPoints = points
        skippedIntroductionPoints = skipped
        self.usedClientAuthorization = usedClientAuthorization
    }

    static func parsePowParams(_ item: NetDocument.Item) throws(HSDescriptorError) -> PowParams {
        guard let type = item.arguments.first else {
            throw .malformed(line: item.line, detail: "\(layer): pow-params needs a type")
        }
        var params = PowParams(type: type, arguments: Array(item.arguments.dropFirst()))
        guard type == "v1" else { return params }
        guard item.arguments.count >= 4 else {
            throw .malformed(line: item.line, detail: "\(layer): pow-params v1 needs seed, effort and expiration")
        }
        params.seed = try DescriptorLayer.base64(item.arguments[1], length: 32, what: "pow-params seed",
                                                 item: item, layer: layer)
        guard let effort = UInt32(item.arguments[2]) else {
            throw .malformed(line: item.line, detail: "\(layer): pow-params effort '\(item.arguments[2])' is not a number")
        }
        params.suggestedEffort = effort
        guard let expiration = parseISOTime(item.arguments[3]) else {
            throw .malformed(line: item.line, detail: "\(layer): pow-params expiration '\(item.arguments[3])' is not YYYY-MM-DDTHH:MM:SS")
        }
        params.expiration = expiration
        return params
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC (also accepts a space instead of `T`).
func parseISOTime(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count == 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x20,
          bytes[13] == 0x3A, bytes[16] == 0x3A else { return nil }
    func number(_ range: Range<Int>) -> Int? {
        var value = 0
        for byte in bytes[range] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
          let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
          (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
    // Days from civil (proleptic Gregorian), H. Hinnant's algorithm.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let monthIndex = month > 2 ? month - 3 : month + 9
    let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
}
