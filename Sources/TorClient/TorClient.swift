import Foundation
import TorCircuits
import TorDirectory
import TorProto

/// The embedded Tor client: one per process. Bootstraps a verified view of the network and
/// builds circuits through it; ``connect(to:port:)`` (onion services) builds on this.
public actor TorClient {
    public let configuration: TorClientConfiguration
    public let pool: ChannelPool
    public let builder: CircuitBuilder
    public let directory: DirectoryManager
    public let guards: GuardSet

    public init(configuration: TorClientConfiguration) {
        self.configuration = configuration
        pool = ChannelPool(timeout: configuration.stepTimeout)
        builder = CircuitBuilder(pool: pool, timeout: configuration.stepTimeout)
        directory = DirectoryManager(config: configuration.network, cacheDirectory: configuration.paths.cacheDirectory,
                                     builder: builder)
        guards = GuardSet(fileURL: configuration.paths.stateDirectory.appendingPathComponent("guards.json"))
    }

    /// Bootstraps (or loads the cache) and reports what the client knows.
    public func bootstrap() async throws -> BootstrapReport {
        let (netDirectory, report) = try await directory.bootstrap()
        var result = report
        result.guards = await guards.candidates(in: netDirectory).map(\.displayName)
        return result
    }

    /// The current usable view of the network.
    public func netDirectory() async throws -> NetDirectory { try await directory.netDirectory() }

    /// Builds a circuit of `length` hops: a guard, then bandwidth-weighted relays, the last
    /// satisfying `lastHop` if given.
    public func buildCircuit(length: Int = 3, lastHop: Relay? = nil) async throws -> Circuit {
        let netDirectory = try await directory.netDirectory()
        var lastError: (any Error)?
        for guardRelay in await guards.candidates(in: netDirectory).prefix(3) {
            if let lastHop, !PathSelector(directory: netDirectory).canShare(guardRelay, lastHop) { continue }
            var path = [guardRelay]
            let selector = PathSelector(directory: netDirectory)
            do {
                while path.count < length - (lastHop == nil ? 0 : 1) {
                    path.append(try selector.pick(path.count == length - 1 ? .exit : .middle, requiring: [.fast],
                                                  excluding: path + (lastHop.map { [$0] } ?? [])))
                }
                if let lastHop { path.append(lastHop) }
                let circuit = try await builder.build(path: path)
                await guards.markSucceeded(guardRelay)
                return circuit
            } catch let error as ChannelError {
                await guards.markFailed(guardRelay)
                lastError = error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? PathError.noCandidates("guard")
    }

    /// Closes every channel.
    public func shutdown() async { await pool.closeAll() }
}
