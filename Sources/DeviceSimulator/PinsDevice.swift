import Foundation

/// The simulated code-me-not pin device: its real `/links` API with ESP-IDF's responses.
public final class PinsDevice: SimulatedDevice {
    /// The body size `POST /links` refuses (`req->content_len >= sizeof(scratch)`).
    public static let maxPostBody = 8192
    static let corsHeaders: HTTPHeaders = ["Access-Control-Allow-Origin": "*"]

    private let core: PinsHandlers
    private let router: Router

    /// Creates the device from `model`, saving changes to `store`.
    public init(model: PinsModel, store: StateStore?, quirks: HTTPQuirks = .none) {
        let core = PinsHandlers(model: Locked(model), store: store, quirks: quirks)
        // ESP-IDF's default error texts, text/html.
        var router = Router(
            notFound: { _ in .text(404, "This URI does not exist", contentType: "text/html") },
            methodNotAllowed: { _, _ in .text(405, "Request method for this URI is not allowed", contentType: "text/html") })
        router.add("GET", "/") { _ in core.index() }
        router.add("GET", "/hello") { _ in
            .text(200, "<!DOCTYPE html><body><h1>Hello World!</h1></body></html>", contentType: "text/html",
                  headers: ["Custom-Header-1": "Custom-Value-1", "Custom-Header-2": "Custom-Value-2"])
        }
        router.add("GET", "/links") { _ in
            let json = core.model.withLock { $0.linksJSON }
            return .text(200, JSONWriter.cJSONFormatted(json), contentType: "text/html", headers: PinsDevice.corsHeaders)
        }
        router.add("POST", "/links") { core.post($0) }
        router.add("OPTIONS", "/links") { _ in
            .text(200, "Fine option", contentType: "text/html", headers: [
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "OPTIONS, GET, HEAD, POST",
                "Access-Control-Allow-Headers": "*",
            ])
        }
        self.core = core
        self.router = router
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse { router.route(request) }

    public func tick() {}

    public func persist() throws {
        guard let store = core.store else { return }
        try core.model.withLock { try store.save(DeviceStateFile(pins: $0)) }
    }

    public var snapshot: DeviceStateFile { DeviceStateFile(pins: core.model.withLock { $0 }) }

    /// The current links.
    public var current: PinsModel { core.model.withLock { $0 } }
}

/// The pin device's request handlers and the state they share (all Sendable).
private struct PinsHandlers: Sendable {
    let model: Locked<PinsModel>
    let store: StateStore?
    let quirks: HTTPQuirks

    private func failure(_ text: String, reason: String) -> HTTPResponse {
        var headers = PinsDevice.corsHeaders
        headers.add("X-Simulator-Reason", reason)
        var response = HTTPResponse.text(500, text, contentType: "text/html", headers: headers)
        response.failsConnection = true
        return response
    }

    func post(_ request: HTTPRequest) -> HTTPResponse {
        guard let lengthText = request.headers["Content-Length"], let length = Int(lengthText), length > 0 else {
            return failure("Failed to post control value",
                           reason: "The request has no Content-Length body; the real device would crash parsing it.")
        }
        if length >= PinsDevice.maxPostBody {
            return failure("content too long", reason: "The body must be shorter than \(PinsDevice.maxPostBody) bytes.")
        }
        do throws(PinsError) {
            let document: JSONValue
            do {
                document = try JSONParser.parse(request.body)
            } catch {
                throw PinsError("The body is not valid JSON (\(error)).")
            }
            try model.withLock { model throws(PinsError) in
                var next = model
                try next.upsert(document)
                do {
                    try store?.save(DeviceStateFile(pins: next))
                } catch {
                    throw PinsError("The state could not be saved: \(error)")
                }
                model = next
            }
        } catch {
            return failure("Failed to post control value",
                           reason: error.message + " The real device has no validation and would crash or corrupt memory.")
        }
        return .text(200, "Link created successfully", contentType: "text/html", headers: PinsDevice.corsHeaders)
    }

    func index() -> HTTPResponse {
        let name = model.withLock { $0.name }
        let html = """
        <!DOCTYPE html><html><head><title>\(name)</title></head><body><h1>\(name)</h1>\
        <p>code-me-not pin controller (simulated). API: GET /links, POST /links, OPTIONS /links.</p></body></html>
        """
        var response = HTTPResponse.text(200, html, contentType: "text/html")
        response.chunked = quirks == .minitor
        return response
    }
}
