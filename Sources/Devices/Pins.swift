import FoundationEssentials

/// One code-me-not "link" as `GET /links` reports it. Only simple pins (type 0) carry `pin`;
/// the device never returns the body of scheduled (1) or interrupt (2) links.
public struct PinLink: Sendable, Codable, Equatable {
    public struct Pin: Sendable, Codable, Equatable {
        public var num: Int
        public var on: Bool

        public init(num: Int, on: Bool) {
            self.num = num
            self.on = on
        }

        enum CodingKeys: String, CodingKey { case num, state }

        /// `state` is a number (0/1) on `GET`; a boolean is accepted too.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            num = try container.decode(Int.self, forKey: .num)
            if let number = try? container.decode(Int.self, forKey: .state) {
                on = number != 0
            } else {
                on = try container.decode(Bool.self, forKey: .state)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(num, forKey: .num)
            try container.encode(on, forKey: .state)
        }
    }

    public var name: String
    public var index: Int
    public var type: Int
    public var pin: Pin?

    public init(name: String, index: Int, type: Int, pin: Pin?) {
        self.name = name
        self.index = index
        self.type = type
        self.pin = pin
    }

    /// Human name of `type`; the dashboard and the CLI both use it.
    public var typeName: String { Self.typeName(type) }

    /// Human name of a code-me-not link type: `simple` (a pin that can be toggled), `scheduled`, `interrupt`.
    public static func typeName(_ type: Int) -> String {
        switch type {
        case 0: return "simple"
        case 1: return "scheduled"
        case 2: return "interrupt"
        default: return "type \(type)"
        }
    }

    /// Parses a `GET /links` body (cJSON_Print output, labelled text/html).
    public static func parseList(_ body: [UInt8]) throws -> [PinLink] {
        try JSONDecoder().decode([PinLink].self, from: Data(body))
    }
}

/// A `POST /links` body. code-me-not does no validation at all (a missing key or a long name
/// crashes the device), so everything is checked here before it is sent.
public struct PinLinkUpsert: Sendable, Equatable {
    /// Links the device holds (`Link links[20]`).
    public static let maxLinks = 20
    /// `char name[25]`.
    public static let maxNameBytes = 24
    /// `POST /links` bodies must be shorter than this.
    public static let maxBodyBytes = 8192

    public var name: String
    public var index: Int
    /// Only simple pins (0) and scheduled links (1, stored as name/index/type) are written by onionctl.
    public var type: Int
    public var pin: PinLink.Pin?

    public init(name: String, index: Int, type: Int = 0, pin: PinLink.Pin?) {
        self.name = name
        self.index = index
        self.type = type
        self.pin = pin
    }

    /// Whether GPIO `num` can drive a simple pin: output-capable ESP32 GPIOs below 31 (the device
    /// builds the mask with `1 << num`), excluding 6–11 (the SPI flash).
    public static func isUsableOutputPin(_ num: Int) -> Bool {
        (0...30).contains(num) && !(6...11).contains(num)
    }

    /// Checks the body against the device's limits; `currentCount` is the number of links now.
    /// `existingPin` is a GPIO the device already uses for this link (kept as is).
    public func validate(currentCount: Int, existingPin: Int? = nil) throws(DeviceError) {
        guard !name.isEmpty else { throw .invalidValue("a link needs a name") }
        guard name.utf8.count <= Self.maxNameBytes else {
            throw .invalidValue("the link name '\(name)' is \(name.utf8.count) bytes; the device allows at most \(Self.maxNameBytes)")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw .invalidValue("the link name must not contain control characters")
        }
        guard index >= 0 && index < Self.maxLinks else {
            throw .invalidValue("link index \(index) is out of range: the device holds links 0…\(Self.maxLinks - 1)")
        }
        guard index <= currentCount else {
            throw .invalidValue("link index \(index) would leave a gap: the device has \(currentCount) links, so use 0…\(currentCount)")
        }
        switch type {
        case 0:
            guard let pin else { throw .invalidValue("a simple pin link needs a GPIO number and a state") }
            guard Self.isUsableOutputPin(pin.num) || pin.num == existingPin else {
                throw .invalidValue("GPIO \(pin.num) cannot be driven as an output (use 0–5 or 12–30)")
            }
        case 1:
            guard pin == nil else { throw .invalidValue("a scheduled link has no pin") }
        case 2:
            throw .invalidValue("interrupt links (type 2) are not written by onionctl: the device does not report their settings")
        default:
            throw .invalidValue("link type \(type) is unknown (0 simple pin, 1 scheduled, 2 interrupt)")
        }
        guard encoded().count < Self.maxBodyBytes else { throw .invalidValue("the link is too large for the device") }
    }

    /// The JSON body: every key the device dereferences, `state` as a JSON boolean.
    public func encoded() -> [UInt8] {
        var text = "{\"name\":\(Self.jsonString(name)),\"index\":\(index),\"type\":\(type)"
        if let pin { text += ",\"pin\":{\"num\":\(pin.num),\"state\":\(pin.on ? "true" : "false")}" }
        return Array((text + "}").utf8)
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 { out += scalar.unicodeEscape(uppercase: false) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
