import FoundationEssentials

/// Where the client keeps its state, following the XDG base-directory convention.
public struct TorPaths: Sendable, Equatable {
    /// Directory documents (consensus, certificates, microdescriptors) for one network.
    public var cacheDirectory: URL
    /// Long-lived client state (the guard set) for one network.
    public var stateDirectory: URL

    public init(cacheDirectory: URL, stateDirectory: URL) {
        self.cacheDirectory = cacheDirectory
        self.stateDirectory = stateDirectory
    }

    /// `$XDG_CACHE_HOME/onionctl/<network>` and `$XDG_STATE_HOME/onionctl/<network>`.
    public static func standard(networkID: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> TorPaths {
        let home = URL(fileURLWithPath: environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path)
        func base(_ variable: String, _ fallback: String) -> URL {
            if let value = environment[variable], value.hasPrefix("/") { return URL(fileURLWithPath: value) }
            return home.appendingPathComponent(fallback)
        }
        return TorPaths(
            cacheDirectory: base("XDG_CACHE_HOME", ".cache").appendingPathComponent("onionctl/\(networkID)"),
            stateDirectory: base("XDG_STATE_HOME", ".local/state").appendingPathComponent("onionctl/\(networkID)"))
    }
}
