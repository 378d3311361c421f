import ArgumentParser
import Devices
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import TorClient
import TorCrypto

/// `onionctl proxy`: a SOCKS5 (and SOCKS4a) port through which a browser or curl reaches onion
/// services over the embedded Tor client, with the address book's client-authorization keys.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run a SOCKS5 proxy to onion services through the embedded Tor client.",
        discussion: """
            Browsers and curl reach .onion hosts through it (curl --socks5-hostname 127.0.0.1:9150 http://<address>.onion/), \
            with the client-authorization keys of the devices in the address book. Only v3 onion addresses are \
            served: onionctl is not an exit client. It listens on loopback only unless --allow-non-loopback: \
            anyone who can reach the port uses your keys. SIGINT/SIGTERM stop it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Address and port to listen on (loopback; port 0 picks a free one).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:9150"

    @Option(name: .customLong("auth-private"), help: ArgumentHelp("More client-authorization keys: a tor .auth_private file or a ClientOnionAuthDir folder (used before the address book's).", valueName: "FILE|DIR"))
    var authPrivate: String?

    @Flag(name: .customLong("allow-non-loopback"), help: "Listen on a non-loopback address: whoever reaches it uses your client-authorization keys and your Tor client.")
    var allowNonLoopback = false

    @Flag(name: .customLong("extended-errors"), help: "Answer onion-service failures with Tor's extended SOCKS replies 0xF0-0xF7 (C tor's ExtendedErrors; arti's default).")
    var extendedErrors = false

    @Option(name: .customLong("max-connections"), help: "Clients served at once; more are closed.")
    var maxConnections = 64

    @Option(name: .customLong("connect-timeout"), help: "Seconds to reach a service before the SOCKS reply says TTL expired.")
    var connectTimeout: Double = 120

    @Flag(name: .customShort("v"), help: "Report connections, their progress and errors on stderr.")
    var verbose = false

    @Option(name: .customLong("handshake-timeout"), help: "Seconds a client has to send its SOCKS greeting and request.")
    var handshakeTimeout: Double = 10

    @Option(name: .customLong("exit-after"), help: .hidden)
    var exitAfter: Double?

    func run() async throws {
        let address: ListenAddress
        do { address = try ListenAddress(listen) } catch { throw proxyFailure("\(error)", code: ExitCodes.invalidInput) }
        guard address.isLoopback || allowNonLoopback else {
            throw proxyFailure("\(address.host) is not a loopback address: anyone who reaches the port would use your client-authorization keys. Add --allow-non-loopback if you mean it.",
                       code: ExitCodes.invalidInput)
        }
        guard maxConnections > 0, connectTimeout > 0, handshakeTimeout > 0 else {
            throw proxyFailure("--max-connections, --connect-timeout and --handshake-timeout must be positive", code: ExitCodes.invalidInput)
        }
        let client = TorClient(configuration: try global.torConfiguration(directoryPatience: GlobalOptions.longRunningDirectoryPatience))
        let keys: [OnionAddress: X25519PrivateKey]
        do { keys = try ProxyKeys.load(authPrivate: authPrivate) } catch { throw proxyFailure("\(error)", code: onionctlExitCode(for: error)) }
        for (onion, key) in keys { await client.setClientAuthKey(key, for: onion) }

        let verbose = self.verbose
        let log: @Sendable (String) -> Void = { line in if verbose { sayOnStandardError("onionctl proxy: \(line)") } }
        if verbose {
            await client.addProgressHandler { event in
                // As `fetch -v`, with the service named: several connections may be under way.
                sayOnStandardError("[\(event.elapsed.fixed(2).leftPadded(to: 6))s] \(event.onion) \(event.phase.description): \(event.detail)")
            }
        }
        let server = SOCKSServer(listen: address, client: client,
                                 settings: SOCKSSettings(handshakeTimeout: handshakeTimeout, connectTimeout: connectTimeout,
                                                         extendedErrors: extendedErrors),
                                 maxConnections: maxConnections, log: log)
        let port: UInt16
        do { port = try server.bind() } catch { throw proxyFailure("\(error)", code: ExitCodes.invalidInput) }
        var bound = address
        bound.port = port
        // Unbuffered, so that a script (or a test) reading stdout learns the port at once.
        let line = "listening on \(bound) (SOCKS5, SOCKS4a; \(keys.count) client-authorization key\(keys.count == 1 ? "" : "s"))"
        StandardStreams.out(TerminalSafeText.escape(line) + "\n")

        let stopper = ProxyStopper(server: server, exitAfter: exitAfter)
        await server.run()
        withExtendedLifetime(stopper) {}
        await client.shutdown()
        if verbose { sayOnStandardError("onionctl proxy: stopped") }
    }
}

/// Stops the server on SIGINT / SIGTERM (and after `--exit-after`, for tests).
final class ProxyStopper {
    private let sources: [any DispatchSourceSignal]

    init(server: SOCKSServer, exitAfter: Double?) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "onionctl proxy signals")
        sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { server.stop() }
            source.resume()
            return source
        }
        if let exitAfter { queue.asyncAfter(deadline: .now() + exitAfter) { server.stop() } }
    }

    deinit { for source in sources { source.cancel() } }
}

/// The client-authorization keys the proxy offers: `--auth-private`'s, then the address book's.
enum ProxyKeys {
    /// A key file others can read refuses the start (exit 10, with its chmod), as in `fetch`.
    static func load(authPrivate: String?) throws -> [OnionAddress: X25519PrivateKey] {
        var keys: [OnionAddress: X25519PrivateKey] = [:]
        if let authPrivate { keys = try ClientAuthLoading.load(authPrivate) }
        let store = AddressBookStore.standard()
        guard let book = try? store.load() else { return keys }
        let (found, problems) = store.keys(for: book)
        for problem in problems {
            if case .unprotectedKey = problem { throw problem }
            warn("\(problem); its device is reached without a key")
        }
        for (_, key) in found where keys[key.address] == nil { keys[key.address] = key.privateKey }
        return keys
    }
}

/// Says why the proxy cannot start (stderr, terminal-safe) and returns the exit to throw.
private func proxyFailure(_ message: String, code: Int32) -> ExitCode {
    sayOnStandardError("onionctl: \(message)")
    return ExitCode(code)
}
