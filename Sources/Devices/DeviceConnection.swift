import FoundationEssentials
import OnionService
import TorCircuits
import TorClient

/// A FIFO async mutex: operations run one at a time, in arrival order. (Actors alone do not
/// serialize: they are re-entrant at every `await`.)
public actor SerialQueue {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        try Task.checkCancellation()
        return try await operation()
    }
}

/// Where the link to a device stands, for `status` and the dashboard.
public enum ConnectionState: Sendable, Equatable, CustomStringConvertible {
    case idle
    case connecting(ConnectionPhase)
    case connected
    case failed(String)

    public var description: String {
        switch self {
        case .idle: return "idle"
        case let .connecting(phase): return "connecting (\(phase.description))"
        case .connected: return "connected"
        case let .failed(kind): return "failed (\(kind))"
        }
    }
}

/// Time and size limits for talking to a device.
public struct DeviceLimits: Sendable {
    /// Reaching the device (descriptor, introduction, rendezvous, stream). Minitor devices accept
    /// one introduction per 5–20 s, so the first connection can take a while.
    public var connectTimeout: Double = 120
    /// One request/response once the stream is open (esp_http_server's own timeouts are 5 s).
    public var requestTimeout: Double = 30
    /// Response bodies: device API answers are small (code-me-not's `/links` ≤ ~3 KB).
    public var maxResponseBytes: Int = 1 << 20

    public init(connectTimeout: Double = 120, requestTimeout: Double = 30, maxResponseBytes: Int = 1 << 20) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// One device's request queue: requests run strictly one after another (a slow device never sees
/// parallel requests), each on its own Tor stream that is closed after the response is framed
/// (devices behind Minitor take one request per stream and never send EOF).
public actor DeviceConnection {
    public let entry: DeviceEntry
    public private(set) var state: ConnectionState = .idle
    private let tor: TorClient
    private let limits: DeviceLimits
    private let queue = SerialQueue()
    private var stateHandler: (@Sendable (String, ConnectionState) -> Void)?

    public init(entry: DeviceEntry, tor: TorClient, limits: DeviceLimits = DeviceLimits()) {
        self.entry = entry
        self.tor = tor
        self.limits = limits
    }

    func onStateChange(_ handler: @escaping @Sendable (String, ConnectionState) -> Void) { stateHandler = handler }

    func set(_ new: ConnectionState) {
        guard new != state else { return }
        state = new
        stateHandler?(entry.name, new)
    }

    /// Sends `request` once its turn comes and returns the framed response.
    public func send(_ request: HTTPRequest) async throws(DeviceError) -> HTTPResponse {
        let entry = self.entry, tor = self.tor, limits = self.limits
        do {
            return try await queue.run { [self] in
                await self.set(.connecting(.directory))
                let stream: TorStream
                do {
                    stream = try await withTimeout(limits.connectTimeout,
                                                   error: DeviceError.timedOut(device: entry.name, seconds: limits.connectTimeout, what: "reaching the device")) {
                        try await tor.connect(to: entry.address, port: entry.port)
                    }
                } catch {
                    await self.set(.failed(DeviceError.wrap(error, device: entry.name).kind))
                    throw error
                }
                await self.set(.connected)
                defer { stream.close() }
                let client = HTTPClient(timeout: limits.requestTimeout, maxBodyBytes: limits.maxResponseBytes)
                do {
                    return try await client.send(request, over: stream)
                } catch HTTPError.timedOut {
                    throw DeviceError.timedOut(device: entry.name, seconds: limits.requestTimeout,
                                               what: "to \(request.method) \(request.path)")
                }
            }
        } catch {
            throw DeviceError.wrap(error, device: entry.name)
        }
    }

    /// Records a connection phase reported by the Tor client.
    func progress(_ phase: ConnectionPhase) {
        if case .connecting = state { set(phase == .connected ? .connected : .connecting(phase)) }
    }
}
