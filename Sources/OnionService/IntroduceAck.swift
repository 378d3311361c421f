import TorProto

/// INTRODUCE_ACK (relay command 40) from the introduction point (rend-spec-v3 §3.2.2):
/// `STATUS[2] | N_EXTENSIONS[1] | extensions`.
public struct IntroduceAck: Sendable, Equatable {
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        /// 0: the introduction was relayed to the service; wait for RENDEZVOUS2.
        case success
        /// 1: the intro point does not know this service (stale descriptor or restarted service).
        case serviceNotRecognized
        /// 2: the intro point could not parse our INTRODUCE1.
        case badMessageFormat
        /// 3: the intro point could not reach the service.
        case cantRelay
        case unknown(UInt16)

        public init(code: UInt16) {
            switch code {
            case 0: self = .success
            case 1: self = .serviceNotRecognized
            case 2: self = .badMessageFormat
            case 3: self = .cantRelay
            default: self = .unknown(code)
            }
        }

        public var code: UInt16 {
            switch self {
            case .success: return 0
            case .serviceNotRecognized: return 1
            case .badMessageFormat: return 2
            case .cantRelay: return 3
            case let .unknown(code): return code
            }
        }

        /// Whether to try another introduction point of the same descriptor.
        public var shouldTryAnotherIntroPoint: Bool { self != .success }

        public var description: String {
            switch self {
            case .success: return "the introduction point passed our request to the service"
            case .serviceNotRecognized: return "the introduction point does not know this onion service"
            case .badMessageFormat: return "the introduction point could not understand our request"
            case .cantRelay: return "the introduction point could not reach the onion service"
            case let .unknown(code): return "the introduction point answered with unknown status \(code)"
            }
        }
    }

    public struct Extension: Sendable, Equatable {
        public var type: UInt8
        public var body: [UInt8]
    }

    public let status: Status
    public let extensions: [Extension]

    public init(status: Status, extensions: [Extension] = []) {
        self.status = status
        self.extensions = extensions
    }

    /// Parses the message body.
    public init(body: [UInt8]) throws(ProtoError) {
        var reader = ByteReader(body)
        do {
            status = Status(code: try reader.readU16("INTRODUCE_ACK status"))
            // Older services may omit the extension count.
            var extensions: [Extension] = []
            if !reader.isAtEnd {
                let count = Int(try reader.readU8("INTRODUCE_ACK extension count"))
                for _ in 0..<count {
                    let type = try reader.readU8("INTRODUCE_ACK extension type")
                    let length = Int(try reader.readU8("INTRODUCE_ACK extension length"))
                    extensions.append(Extension(type: type, body: try reader.readBytes(length, "INTRODUCE_ACK extension")))
                }
            }
            self.extensions = extensions
        } catch let error as ProtoError {
            throw error
        } catch {
            throw .invalidValue(what: "INTRODUCE_ACK", detail: "\(error)")
        }
    }

    /// Encodes the body (for tests and simulators).
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.appendU16(status.code)
        out.append(UInt8(extensions.count))
        for ext in extensions {
            out.append(ext.type)
            out.append(UInt8(ext.body.count))
            out.append(contentsOf: ext.body)
        }
        return out
    }
}
