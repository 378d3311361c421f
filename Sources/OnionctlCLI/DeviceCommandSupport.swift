import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import TorClient

/// The JSON document of a failure (docs/json.md).
struct ErrorOutput: Encodable {
    /// What went wrong and what to do.
    var error: String
    /// Its category (README.md's exit code table).
    var kind: String
    var exitCode: Int32
}

/// Reports `error` and returns the exit: its sentence on stderr, and with `--json` also exactly
/// one JSON document (``ErrorOutput``) on stdout. An ``ExitCode`` was reported already.
func report(_ error: any Error, json: Bool) -> ExitCode {
    if let exit = error as? ExitCode { return exit }
    let code = onionctlExitCode(for: error)
    if json {
        try? printJSON(ErrorOutput(error: "\(error)", kind: errorKind(error), exitCode: code))
    }
    let text = "onionctl: " + ((error as? UsageError)?.usage ?? "\(error)")
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) { sayOnStandardError(String(line)) }
    return ExitCode(code)
}

/// Runs a command body, turning any error into a reported exit.
func reporting(json: Bool, _ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw report(error, json: json) }
}

func warn(_ message: String) {
    sayOnStandardError("onionctl: warning: \(message)")
}

/// Options of commands that talk to devices.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds allowed to reach a device (Minitor devices take one introduction per 5–20 s).", valueName: "SECONDS"))
    var timeout: Double = 120

    @Flag(name: [.customShort("v"), .long], help: "Report connection progress on stderr.")
    var verbose = false

    func validate() throws {
        guard timeout.isFinite, timeout > 0 else {
            throw ValidationError("--timeout must be a number of seconds above 0, e.g. --timeout 60")
        }
    }

    var limits: DeviceLimits { DeviceLimits(connectTimeout: timeout, requestTimeout: min(30, timeout)) }
}

/// The address book plus, on demand, a ``DeviceService`` for the devices a command uses.
struct DeviceContext {
    let store: AddressBookStore
    let book: AddressBook

    static func open() throws -> DeviceContext {
        let store = AddressBookStore.standard()
        return DeviceContext(store: store, book: try store.load())
    }

    func require(_ name: String) throws -> DeviceEntry { try book.require(name) }

    /// A service over `entries` with their keys loaded. A broken key file of a device in use is an error.
    func service(for entries: [DeviceEntry], global: GlobalOptions, connection: ConnectionOptions) async throws -> DeviceService {
        var keys: [String: ClientAuthKey] = [:]
        for entry in entries {
            if let key = try store.key(for: entry) { keys[entry.name] = key }
        }
        let tor = TorClient(configuration: try global.torConfiguration())
        let service = await DeviceService(devices: entries, keys: keys, tor: tor, limits: connection.limits)
        if connection.verbose {
            await service.addProgressHandler { event in
                sayOnStandardError("[\(event.elapsed.fixed(2).leftPadded(to: 6))s] \(event.device): \(event.phase.description) \(event.detail)")
            }
        }
        return service
    }
}

/// Runs `body` with a service for `entries`, shutting the Tor client down afterwards.
func withService<T>(_ context: DeviceContext, _ entries: [DeviceEntry], global: GlobalOptions, connection: ConnectionOptions,
                    _ body: (DeviceService) async throws -> T) async throws -> T {
    let service = try await context.service(for: entries, global: global, connection: connection)
    do {
        // The directory first: without one no device can be reached, and that is exit 3, not the device's fault.
        do { _ = try await service.tor.netDirectory() } catch { throw CommandFailure.noDirectory(error) }
        let result = try await body(service)
        await service.tor.shutdown()
        return result
    } catch {
        await service.tor.shutdown()
        throw error
    }
}

/// Asks "question [y/N]" on a terminal; refuses without a terminal (scripts pass --yes).
func confirm(_ question: String) throws -> Bool {
    guard isatty(STDIN_FILENO) != 0 else {
        throw CLIError.usage("\(question) — refusing without confirmation; pass --yes")
    }
    StandardStreams.err("\(question) [y/N] ")
    guard let answer = readLine() else { return false }
    return ["y", "yes"].contains(answer.trimmingBlanks().lowercased())
}

extension DeviceKind: ExpressibleByArgument {}
extension ThermostatMode: ExpressibleByArgument {}
