/// A GPIO output and its level (code-me-not `SimplePin`).
public struct SimplePin: Codable, Equatable, Sendable {
    public var num: Int
    public var state: Bool
    public init(num: Int, state: Bool) {
        self.num = num
        self.state = state
    }
}

/// An input pin whose edges toggle a response pin (code-me-not `InterruptPin`).
public struct InterruptPinConfig: Codable, Equatable, Sendable {
    public var num: Int
    public var msDelay: Int
    public var responseType: Int
    public var pin: SimplePin?
}

/// One code-me-not "link": a named pin behaviour. Type 0 = simple pin, 1 = scheduled (not
/// implemented on the device), 2 = interrupt pin.
public struct PinLink: Codable, Equatable, Sendable {
    public var name: String
    public var index: Int
    public var type: Int
    public var pin: SimplePin?
    public var interruptPin: InterruptPinConfig?

    public init(name: String, index: Int, type: Int, pin: SimplePin? = nil, interruptPin: InterruptPinConfig? = nil) {
        self.name = name
        self.index = index
        self.type = type
        self.pin = pin
        self.interruptPin = interruptPin
    }
}

/// A `POST /links` body the simulator refuses. The real device has no validation and crashes
/// (NULL dereference, overflow) on these; the simulator answers 500 "Failed to post control
/// value" instead, with this sentence in an `X-Simulator-Reason` header.
public struct PinsError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The pin device's links, with code-me-not's semantics.
public struct PinsModel: Codable, Equatable, Sendable {
    /// `Link links[20]` on the device.
    public static let maxLinks = 20
    /// `char name[25]` on the device, so 24 bytes plus the terminator.
    public static let maxNameBytes = 24
    /// Highest GPIO number of an ESP32.
    public static let maxGPIO = 39

    public var name: String
    public private(set) var links: [PinLink]

    /// A device with the default links `led` (GPIO 2) and `relay` (GPIO 4), both off.
    public init(name: String) {
        self.name = name
        links = [
            PinLink(name: "led", index: 0, type: 0, pin: SimplePin(num: 2, state: false)),
            PinLink(name: "relay", index: 1, type: 0, pin: SimplePin(num: 4, state: false)),
        ]
    }

    /// Creates or replaces a link from a `POST /links` document: an upsert by `index`, which must
    /// be at most the current count. As on the device, `state` is on only when it is JSON `true`;
    /// a numeric 1 means off.
    public mutating func upsert(_ document: JSONValue) throws(PinsError) {
        guard case .object = document else { throw PinsError("The body must be a JSON object.") }
        guard let index = document["index"]?.intValue else { throw PinsError("\"index\" must be an integer.") }
        guard index >= 0, index <= links.count, index < Self.maxLinks else {
            throw PinsError("\"index\" \(index) must be between 0 and the current link count \(links.count) (at most \(Self.maxLinks - 1)).")
        }
        guard case .string(let name)? = document["name"] else { throw PinsError("\"name\" must be a string.") }
        guard name.utf8.count <= Self.maxNameBytes else {
            throw PinsError("\"name\" must be at most \(Self.maxNameBytes) bytes.")
        }
        guard let type = document["type"]?.intValue else { throw PinsError("\"type\" must be an integer.") }
        var link = PinLink(name: name, index: index, type: type)
        switch type {
        case 0:
            link.pin = try Self.simplePin(document["pin"], label: "pin")
        case 2:
            guard let body = document["interruptPin"], case .object = body else {
                throw PinsError("\"interruptPin\" must be an object for a type 2 link.")
            }
            guard let num = body["num"]?.intValue, (0...Self.maxGPIO).contains(num) else {
                throw PinsError("\"interruptPin.num\" must be a GPIO number from 0 to \(Self.maxGPIO).")
            }
            guard let delay = body["msDelay"]?.intValue else { throw PinsError("\"interruptPin.msDelay\" must be an integer.") }
            guard let responseType = body["responseType"]?.intValue else {
                throw PinsError("\"interruptPin.responseType\" must be an integer.")
            }
            let response = responseType == 0 ? try Self.simplePin(body["pin"], label: "interruptPin.pin") : nil
            link.interruptPin = InterruptPinConfig(num: num, msDelay: delay, responseType: responseType, pin: response)
        default:
            break // Type 1 (scheduled) and others: the device stores only name, index and type.
        }
        if index == links.count { links.append(link) } else { links[index] = link }
    }

    private static func simplePin(_ value: JSONValue?, label: String) throws(PinsError) -> SimplePin {
        guard let value, case .object = value else { throw PinsError("\"\(label)\" must be an object.") }
        guard let num = value["num"]?.intValue, (0...maxGPIO).contains(num) else {
            throw PinsError("\"\(label).num\" must be a GPIO number from 0 to \(maxGPIO).")
        }
        guard let state = value["state"] else { throw PinsError("\"\(label).state\" is missing.") }
        return SimplePin(num: num, state: state == .bool(true))
    }

    /// The `GET /links` document: type 0 links carry `pin` with a numeric state; other types
    /// carry only name, index and type (the device builds but never attaches their body).
    public var linksJSON: JSONValue {
        .array(links.map { link in
            var members = [
                JSONMember("name", .string(link.name)),
                JSONMember("index", .number(Double(link.index))),
                JSONMember("type", .number(Double(link.type))),
            ]
            if link.type == 0, let pin = link.pin {
                members.append(JSONMember("pin", .object([
                    JSONMember("num", .number(Double(pin.num))),
                    JSONMember("state", .number(pin.state ? 1 : 0)),
                ])))
            }
            return .object(members)
        })
    }
}
