/// Dispatches requests by exact path (query ignored, as `httpd_uri_match` does) and method.
/// An unknown path gets the not-found response; a known path with another method gets 405.
public struct Router: Sendable {
    /// A request handler.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private struct Route: Sendable {
        var method: String
        var path: String
        var handler: Handler
    }

    private var routes: [Route] = []
    private let notFound: Handler
    private let methodNotAllowed: @Sendable (HTTPRequest, [String]) -> HTTPResponse

    /// Creates a router with the responses for unknown paths and wrong methods.
    public init(notFound: @escaping Handler,
                methodNotAllowed: @escaping @Sendable (HTTPRequest, [String]) -> HTTPResponse) {
        self.notFound = notFound
        self.methodNotAllowed = methodNotAllowed
    }

    /// Registers `handler` for `method` on `path`.
    public mutating func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, path: path, handler: handler))
    }

    /// The response for `request`.
    public func route(_ request: HTTPRequest) -> HTTPResponse {
        let candidates = routes.filter { $0.path == request.path }
        if candidates.isEmpty { return notFound(request) }
        if let route = candidates.first(where: { $0.method == request.method }) {
            return route.handler(request)
        }
        var response = methodNotAllowed(request, candidates.map(\.method))
        response.headers.set("Allow", candidates.map(\.method).joined(separator: ", "))
        return response
    }
}
