import FoundationEssentials
import OnionService
import TorClient

/// A connection-progress event for one device.
public struct DeviceProgress: Sendable, Equatable {
    public var device: String
    public var phase: ConnectionPhase
    public var detail: String
    public var elapsed: TimeInterval
}

/// What `status` learns about one device.
public struct DeviceStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// It answered.
        case online
        /// Not published, no introduction/rendezvous, or no answer in time.
        case offline
        /// Client authorization missing or rejected.
        case unauthorized
        /// It answered with an error, or something else went wrong.
        case error
    }

    public var name: String
    public var kind: DeviceKind
    public var onion: String
    public var state: State
    /// Seconds from the start of the check to the answer.
    public var seconds: Double
    /// A one-line summary of what the device reported, when online.
    public var summary: String?
    /// The thermostat reading, when the device is an online thermostat.
    public var thermostat: ThermostatReading?
    /// The links, when the device is an online pins device.
    public var pins: [PinLink]?
    /// The error category (``DeviceError/kind``) and sentence, when not online.
    public var errorKind: String?
    public var error: String?
    /// The failure itself, when not online (not in JSON: ``errorKind`` and ``error`` say it), so the
    /// CLI derives its exit code from the same mapping as for every other command.
    public var failure: DeviceError?

    private enum CodingKeys: String, CodingKey {
        case name, kind, onion, state, seconds, summary, thermostat, pins, errorKind, error
    }
}

/// The one place the CLI and the dashboard talk to devices: a queue per device, typed models,
/// local validation before anything is sent, and confirmation from the device's answer.
public actor DeviceService {
    public let tor: TorClient
    public nonisolated let devices: [DeviceEntry]
    private let limits: DeviceLimits
    private var connections: [String: DeviceConnection] = [:]
    private var progressHandlers: [UUID: @Sendable (DeviceProgress) -> Void] = [:]
    private var torHandler: UUID?

    /// - Parameters:
    ///   - keys: client-authorization keys by device name (given to the Tor client, never logged).
    public init(devices: [DeviceEntry], keys: [String: ClientAuthKey], tor: TorClient, limits: DeviceLimits = DeviceLimits()) async {
        self.tor = tor
        self.devices = devices
        self.limits = limits
        for entry in devices {
            connections[entry.name] = DeviceConnection(entry: entry, tor: tor, limits: limits)
            if let key = keys[entry.name], key.address == entry.address {
                await tor.setClientAuthKey(key.privateKey, for: entry.address)
            }
        }
    }

    // MARK: Progress

    /// Subscribes to connection progress of every device (directory, descriptor, introduction, …).
    @discardableResult
    public func addProgressHandler(_ handler: @escaping @Sendable (DeviceProgress) -> Void) async -> UUID {
        let id = UUID()
        progressHandlers[id] = handler
        if torHandler == nil {
            let byAddress = Dictionary(devices.map { ($0.address.description, $0.name) }, uniquingKeysWith: { a, _ in a })
            torHandler = await tor.addProgressHandler { [weak self] event in
                guard let self, let name = byAddress[event.onion] ?? byAddress[event.onion + ".onion"] else { return }
                Task { await self.forward(DeviceProgress(device: name, phase: event.phase, detail: event.detail, elapsed: event.elapsed)) }
            }
        }
        return id
    }

    public func removeProgressHandler(_ id: UUID) { progressHandlers[id] = nil }

    /// Stops forwarding the Tor client's progress (before replacing this service with another
    /// over the same client, e.g. after the address book changed).
    public func close() async {
        if let torHandler { await tor.removeProgressHandler(torHandler) }
        torHandler = nil
        progressHandlers.removeAll()
    }

    private func forward(_ event: DeviceProgress) async {
        await connections[event.device]?.progress(event.phase)
        for handler in progressHandlers.values { handler(event) }
    }

    /// The current connection state of each device.
    public func connectionStates() async -> [String: ConnectionState] {
        var result: [String: ConnectionState] = [:]
        for (name, connection) in connections { result[name] = await connection.state }
        return result
    }

    // MARK: Generic HTTP

    /// One request to a device, queued behind its other requests.
    public func request(_ name: String, method: String = "GET", path: String, body: [UInt8] = [],
                        headers: [(String, String)] = []) async throws(DeviceError) -> HTTPResponse {
        let connection = try connection(name)
        var allHeaders = headers
        if !body.isEmpty && !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            allHeaders.append(("Content-Type", "application/json"))
        }
        let request = HTTPRequest(method: method, path: path, host: connection.entry.address.description,
                                  headers: allHeaders, body: body)
        return try await connection.send(request)
    }

    // MARK: Thermostat

    public func thermostat(_ name: String) async throws(DeviceError) -> ThermostatReading {
        _ = try entry(name, kind: .thermostat)
        let response = try await request(name, path: "/api/v1/thermostat")
        return try decode(ThermostatReading.self, response, device: name, what: "thermostat reading")
    }

    public func history(_ name: String) async throws(DeviceError) -> ThermostatHistory {
        _ = try entry(name, kind: .thermostat)
        let response = try await request(name, path: "/api/v1/thermostat/history")
        return try decode(ThermostatHistory.self, response, device: name, what: "history")
    }

    /// Validates `value` against the device's own min/max/step, sends it, and confirms it from
    /// the device's answer.
    public func setSetpoint(_ name: String, _ value: Double) async throws(DeviceError) -> ThermostatReading {
        try await change(name, ThermostatChange(setpoint: value))
    }

    public func setMode(_ name: String, _ mode: ThermostatMode) async throws(DeviceError) -> ThermostatReading {
        try await change(name, ThermostatChange(mode: mode))
    }

    /// Applies a setpoint and/or mode change (validated first) and returns the confirmed state.
    public func change(_ name: String, _ change: ThermostatChange) async throws(DeviceError) -> ThermostatReading {
        _ = try entry(name, kind: .thermostat)
        guard change.setpoint != nil || change.mode != nil else { throw .invalidValue("nothing to change") }
        if let setpoint = change.setpoint {
            guard setpoint.isFinite else { throw .invalidValue("the setpoint must be a number") }
            let current = try await thermostat(name)
            try current.validateSetpoint(setpoint)
        }
        let response = try await request(name, method: "PATCH", path: "/api/v1/thermostat", body: change.encoded())
        let reading = try decode(ThermostatReading.self, response, device: name, what: "thermostat state")
        guard change.isApplied(in: reading) else {
            var asked: [String] = [], got: [String] = []
            if let setpoint = change.setpoint {
                asked.append("setpoint \(ThermostatReading.format(setpoint))")
                got.append("setpoint \(ThermostatReading.format(reading.setpoint))")
            }
            if let mode = change.mode { asked.append("mode \(mode)"); got.append("mode \(reading.mode)") }
            throw .unexpectedAnswer(device: name, detail: "asked for \(asked.joined(separator: ", ")), the device reports \(got.joined(separator: ", ")); the change was not applied")
        }
        return reading
    }

    // MARK: Pins

    public func pins(_ name: String) async throws(DeviceError) -> [PinLink] {
        _ = try entry(name, kind: .pins)
        let response = try await request(name, path: "/links")
        try check(response, device: name)
        do { return try PinLink.parseList(response.body) } catch {
            throw .unexpectedAnswer(device: name, detail: "GET /links is not the expected JSON list: \(Self.describe(error))")
        }
    }

    /// Flips (or sets, with `on`) a simple pin link: reads the links, validates the new link fully,
    /// and POSTs it with a boolean `state`. Returns the link as now set.
    public func toggle(_ name: String, index: Int, on: Bool? = nil) async throws(DeviceError) -> PinLink {
        let links = try await pins(name)
        guard let link = links.first(where: { $0.index == index }) else {
            let known = links.map { "\($0.index) (\($0.name))" }.joined(separator: ", ")
            throw .invalidValue("\(name) has no link \(index); its links: \(known.isEmpty ? "none" : known)")
        }
        guard link.type == 0, let pin = link.pin else {
            throw .invalidValue("link \(index) (\(link.name)) is a \(link.typeName) link, not a simple pin; only simple pins can be toggled")
        }
        let newPin = PinLink.Pin(num: pin.num, on: on ?? !pin.on)
        let upsert = PinLinkUpsert(name: link.name, index: link.index, type: 0, pin: newPin)
        try upsert.validate(currentCount: links.count, existingPin: pin.num)
        let response = try await request(name, method: "POST", path: "/links", body: upsert.encoded())
        try check(response, device: name)
        guard response.bodyText.lowercased().contains("created successfully") else {
            throw .unexpectedAnswer(device: name, detail: "POST /links answered '\(response.bodyText.prefix(80))' instead of 'Link created successfully'")
        }
        return PinLink(name: link.name, index: link.index, type: 0, pin: newPin)
    }

    // MARK: Status

    /// Checks every named device (all when `names` is empty) concurrently; one request each.
    public func status(_ names: [String] = []) async throws(DeviceError) -> [DeviceStatus] {
        var chosen = names.isEmpty ? devices : []
        for name in names { chosen.append(try entry(name)) }
        return await withTaskGroup(of: (Int, DeviceStatus).self) { group in
            for (position, entry) in chosen.enumerated() {
                group.addTask { (position, await self.checkOne(entry)) }
            }
            var results: [(Int, DeviceStatus)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func checkOne(_ entry: DeviceEntry) async -> DeviceStatus {
        let start = Date()
        var status = DeviceStatus(name: entry.name, kind: entry.kind, onion: entry.address.description, state: .online, seconds: 0)
        do {
            switch entry.kind {
            case .thermostat:
                let reading = try await thermostat(entry.name)
                status.thermostat = reading
                status.summary = "\(ThermostatReading.format(reading.temperature)) °C, setpoint \(ThermostatReading.format(reading.setpoint)) °C, \(reading.mode), \(reading.state)"
            case .pins:
                let links = try await pins(entry.name)
                status.pins = links
                status.summary = links.isEmpty ? "no links" : links.map { link in
                    link.pin.map { "\(link.name) \($0.on ? "on" : "off")" } ?? "\(link.name) (\(link.typeName))"
                }.joined(separator: ", ")
            case .http:
                let response = try await request(entry.name, path: "/")
                status.summary = "HTTP \(response.status) \(response.reason)"
                if response.status >= 400 {
                    status.state = .error
                    status.errorKind = "http-error"
                    status.failure = .rejected(device: entry.name, status: response.status, message: "HTTP \(response.status) \(response.reason)", field: nil)
                }
            }
        } catch {
            status.state = error.deviceNeverAnswered ? .offline : (error.kind.hasPrefix("client-auth") ? .unauthorized : .error)
            status.errorKind = error.answerKind
            status.error = error.description
            status.failure = error
        }
        status.seconds = (Date().timeIntervalSince(start) * 100).rounded() / 100
        return status
    }

    // MARK: Helpers

    public func entry(_ name: String) throws(DeviceError) -> DeviceEntry {
        guard let entry = devices.first(where: { $0.name == name }) else {
            throw .noSuchDevice(name, known: devices.map(\.name))
        }
        return entry
    }

    private func entry(_ name: String, kind: DeviceKind) throws(DeviceError) -> DeviceEntry {
        let found = try entry(name)
        guard found.kind == kind else { throw .wrongKind(device: name, kind: found.kind, expected: kind) }
        return found
    }

    private func connection(_ name: String) throws(DeviceError) -> DeviceConnection {
        _ = try entry(name)
        return connections[name]!
    }

    /// The JSON error body the device APIs send with a 4xx (`{"error": …, "field": …}`).
    private struct ErrorBody: Decodable {
        var error: String?
        var field: String?
    }

    private func check(_ response: HTTPResponse, device: String) throws(DeviceError) {
        guard response.status >= 400 else { return }
        var message = response.bodyText.trimmingWhitespace()
        var field: String?
        if let object = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)) {
            if let text = object.error { message = text }
            field = object.field
        }
        if let reason = response.header("X-Simulator-Reason") { message += " (\(reason))" }
        if message.isEmpty { message = response.reason }
        throw .rejected(device: device, status: response.status, message: String(message.prefix(300)), field: field)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, device: String, what: String) throws(DeviceError) -> T {
        try check(response, device: device)
        do { return try JSONDecoder().decode(T.self, from: Data(response.body)) } catch {
            throw .unexpectedAnswer(device: device, detail: "the \(what) is not in the documented format: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing field '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? "not JSON" : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "\(error)"
        }
    }
}
