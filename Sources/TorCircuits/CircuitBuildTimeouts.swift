import FoundationEssentials
import Synchronization
import TorDirectory

/// The client's learned circuit build timeout (``CircuitBuildTimeEstimator``), shared by every
/// circuit build and persisted in the state directory of one network (`circuit-timeouts.json`,
/// versioned JSON): written every 10 build times and when the history is reset, as C tor saves
/// its state. A damaged file is reported (``loadProblem``), kept aside as `.damaged`, and
/// learning starts again; it never stops the client.
public final class CircuitBuildTimeouts: Sendable {
    /// What status views show.
    public struct Status: Sendable, Equatable {
        /// The timeout now in use, in seconds (learned, or the initial one).
        public var timeout: TimeInterval
        public var isLearned: Bool
        /// Build times recorded, and how many are needed before one is learned (`cbtmincircs`).
        public var recorded: Int
        public var needed: Int
        /// The fitted Pareto curve (milliseconds; alpha may be infinite), once learned.
        public var xmMilliseconds: Int?
        public var alpha: Double?
        /// The quantile the timeout is set at (0.8 by default).
        public var quantile: Double
    }

    private struct State {
        var estimator: CircuitBuildTimeEstimator
        var unsaved = 0
    }

    /// How many new build times are written together (C tor `CBT_SAVE_STATE_EVERY`).
    static let saveEvery = 10

    private let fileURL: URL?
    private let state: Mutex<State>
    /// Why the stored history was not used (learning started again), for status views.
    public let loadProblem: String?

    /// - Parameter fileURL: where to persist the history (`nil` keeps it in memory).
    public init(fileURL: URL?) {
        self.fileURL = fileURL
        var samples: [Int] = []
        var problem: String?
        if let fileURL, let data = try? Data(contentsOf: fileURL) {
            switch CircuitTimeoutState.load(data) {
            case let .success(stored): samples = stored.buildTimesMs
            case let .failure(error):
                problem = "\(fileURL.path): \(error); the circuit build timeout is learned again"
                let aside = fileURL.appendingPathExtension("damaged")
                try? FileManager.default.removeItem(at: aside)
                try? FileManager.default.copyItem(at: fileURL, to: aside)
            }
        }
        loadProblem = problem
        state = Mutex(State(estimator: CircuitBuildTimeEstimator(samples: samples)))
    }

    /// The build times held, oldest first (0: abandoned), for tests.
    var samples: [Int] { state.withLock { $0.estimator.samples } }

    /// Takes the `cbt*` parameters of a newer consensus.
    public func update(from params: ConsensusParams) {
        let parameters = CircuitTimeoutParameters(params)
        state.withLock { $0.estimator.update(parameters) }
    }

    /// The timeout (give up waiting) and close time (stop measuring), in seconds.
    public var current: (timeout: TimeInterval, close: TimeInterval) {
        state.withLock { ($0.estimator.timeoutMs / 1000, $0.estimator.closeMs / 1000) }
    }

    public var status: Status {
        state.withLock { state in
            let estimator = state.estimator
            return Status(timeout: estimator.timeoutMs / 1000, isLearned: estimator.isLearned,
                          recorded: estimator.recordedCount, needed: estimator.parameters.minCircuits,
                          xmMilliseconds: estimator.xm, alpha: estimator.alpha, quantile: estimator.parameters.quantile)
        }
    }

    /// A circuit reached its third hop after `seconds` (see ``CircuitBuildTimeEstimator/recordBuildTime(_:withinTimeout:)``).
    public func recordBuildTime(_ seconds: TimeInterval, withinTimeout: Bool) {
        change(forceSave: false) { $0.recordBuildTime(Int((seconds * 1000).rounded()), withinTimeout: withinTimeout) }
    }

    /// A circuit kept building past the timeout was abandoned at the close time.
    public func recordAbandoned() { change(forceSave: false) { $0.recordAbandoned() } }

    /// A circuit passed the timeout; too many such recent circuits reset the history.
    public func recordTimeout(afterFirstHop: Bool) {
        let reset = state.withLock { $0.estimator.recordTimeout(afterFirstHop: afterFirstHop) }
        if reset { change(forceSave: true) { _ in } }
    }

    private func change(forceSave: Bool, _ body: (inout CircuitBuildTimeEstimator) -> Void) {
        let toSave = state.withLock { state -> [Int]? in
            body(&state.estimator)
            state.unsaved += 1
            guard forceSave || state.unsaved >= Self.saveEvery else { return nil }
            state.unsaved = 0
            return state.estimator.samples
        }
        if let toSave { save(toSave) }
    }

    /// Writes the history now if it changed since it was last written (it is also written every
    /// 10 build times): a client calls this when it shuts down, so that a short-lived process
    /// (one `onionctl` command builds a few circuits) adds its times too, as C tor saves its
    /// state on exit.
    public func saveIfChanged() {
        let toSave = state.withLock { state -> [Int]? in
            guard state.unsaved > 0 else { return nil }
            state.unsaved = 0
            return state.estimator.samples
        }
        if let toSave { save(toSave) }
    }

    private func save(_ samples: [Int]) {
        guard let fileURL, let data = try? CircuitTimeoutState(buildTimesMs: samples).encoded() else { return }
        try? FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: fileURL)
    }
}

/// The persisted build-time history, as stored in `circuit-timeouts.json`.
public struct CircuitTimeoutState: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version = CircuitTimeoutState.currentVersion
    /// Build times in milliseconds, oldest first; 0 marks a circuit abandoned at the close time.
    public var buildTimesMs: [Int]

    public init(buildTimesMs: [Int]) { self.buildTimesMs = buildTimesMs }

    /// Why a stored history cannot be used.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case unreadable
        case newerVersion(Int)
        case badTimes

        public var description: String {
            switch self {
            case .unreadable: return "the circuit build time history is not readable JSON"
            case let .newerVersion(version):
                return "the circuit build time history has version \(version), newer than this onionctl reads (\(currentVersion))"
            case .badTimes: return "the circuit build time history holds negative, impossible or too many times"
            }
        }
    }

    /// Reads `data`: the whole history, or why it cannot be trusted.
    public static func load(_ data: Data) -> Result<CircuitTimeoutState, LoadError> {
        struct Version: Decodable { var version: Int }
        guard let version = try? JSONDecoder().decode(Version.self, from: data).version else { return .failure(.unreadable) }
        guard version <= currentVersion else { return .failure(.newerVersion(version)) }
        guard let state = try? JSONDecoder().decode(CircuitTimeoutState.self, from: data) else { return .failure(.unreadable) }
        guard state.buildTimesMs.count <= CircuitBuildTimeEstimator.maxSamples,
              state.buildTimesMs.allSatisfy({ (0...Int(Int32.max)).contains($0) }) else { return .failure(.badTimes) }
        return .success(state)
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
