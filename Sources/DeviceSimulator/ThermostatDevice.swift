import Foundation

/// The simulated thermostat and its JSON API under `/api/v1/thermostat`.
public final class ThermostatDevice: SimulatedDevice {
    private let core: ThermostatHandlers
    private let router: Router

    /// Creates the device from `model` (e.g. loaded from the state file), saving changes to `store`.
    public init(model: ThermostatModel, clock: any DeviceClock, store: StateStore?, quirks: HTTPQuirks = .none) {
        let core = ThermostatHandlers(model: Locked(model), clock: clock, store: store, quirks: quirks)
        var router = Router(
            notFound: { request in
                .json(404, .object([JSONMember("error", .string("There is no resource at \(request.path); see GET / for the API."))]))
            },
            methodNotAllowed: { request, allowed in
                .json(405, .object([JSONMember("error", .string(
                    "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or ")).",
                ))]))
            })
        router.add("GET", "/") { _ in core.index() }
        router.add("GET", "/api/v1/thermostat") { _ in .json(200, core.read { $0.apiJSON }) }
        router.add("PATCH", "/api/v1/thermostat") { core.change($0) }
        router.add("PUT", "/api/v1/thermostat") { core.change($0) }
        router.add("GET", "/api/v1/thermostat/history") { _ in .json(200, core.read { $0.historyJSON }) }
        TransferTestRoutes.add(to: &router)
        self.core = core
        self.router = router
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse { router.route(request) }

    public func tick() {
        let now = core.clock.now()
        core.model.withLock { $0.advance(to: now) }
    }

    public func persist() throws {
        guard let store = core.store else { return }
        try core.model.withLock { try store.save(DeviceStateFile(thermostat: $0)) }
    }

    public var snapshot: DeviceStateFile { DeviceStateFile(thermostat: core.model.withLock { $0 }) }

    /// The current model, after advancing the simulation.
    public var current: ThermostatModel {
        let now = core.clock.now()
        return core.model.withLock { $0.advance(to: now); return $0 }
    }
}

/// The thermostat's request handlers and the state they share (all Sendable).
private struct ThermostatHandlers: Sendable {
    let model: Locked<ThermostatModel>
    let clock: any DeviceClock
    let store: StateStore?
    let quirks: HTTPQuirks

    func read(_ body: (ThermostatModel) -> JSONValue) -> JSONValue {
        let now = clock.now()
        return model.withLock { model in
            model.advance(to: now)
            return body(model)
        }
    }

    func change(_ request: HTTPRequest) -> HTTPResponse {
        let patch: ThermostatPatch
        do {
            patch = try ThermostatPatch.parse(request.body)
        } catch {
            return .json(422, error.json)
        }
        let now = clock.now()
        do {
            let json = try model.withLock { model -> JSONValue in
                var next = model
                next.advance(to: now)
                next.apply(patch, at: now)
                try store?.save(DeviceStateFile(thermostat: next))
                model = next
                return model.apiJSON
            }
            return .json(200, json)
        } catch {
            return .json(500, .object([JSONMember("error", .string("The change was not applied: \(error)"))]))
        }
    }

    func index() -> HTTPResponse {
        let name = model.withLock { $0.name }
        var response = HTTPResponse.json(200, .object([
            JSONMember("name", .string(name)),
            JSONMember("kind", .string("thermostat")),
            JSONMember("api", .object([
                JSONMember("GET /api/v1/thermostat", .string("current reading and settings")),
                JSONMember("PATCH /api/v1/thermostat", .string("change setpoint and/or mode, e.g. {\"setpoint\":21.5,\"mode\":\"heat\"}")),
                JSONMember("PUT /api/v1/thermostat", .string("same as PATCH")),
                JSONMember("GET /api/v1/thermostat/history", .string("recent temperature samples")),
            ])),
        ]))
        response.chunked = quirks == .minitor
        return response
    }
}
