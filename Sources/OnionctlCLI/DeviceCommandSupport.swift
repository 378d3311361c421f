import ArgumentParser
import Devices
import Foundation
import OnionService
import TorClient

/// onionctl's exit codes (documented in README.md and `onionctl --help`).
enum ExitCodes {
    static let ok: Int32 = 0
    static let unexpected: Int32 = 1
    static let invalidInput: Int32 = 2
    static let noDirectory: Int32 = 3
    static let noSuchDevice: Int32 = 4
    static let clientAuth: Int32 = 5
    static let offline: Int32 = 6
    static let torFailure: Int32 = 7
    static let unexpectedAnswer: Int32 = 8
    static let addressBook: Int32 = 9
    static let httpError: Int32 = 22

    static let help = """
        Exit codes: 0 success; 1 unexpected failure; 2 invalid input (bad value, mistyped onion address);
        3 no Tor directory; 4 no such device in the address book; 5 client authorization required or
        rejected; 6 device offline or not published; 7 other Tor failure; 8 the device answered
        unexpectedly (change not confirmed); 9 address book or key file unusable (corrupt, newer
        schema, locked, unwritable); 22 the device answered with an HTTP error.
        """
}

/// The exit code for any error onionctl reports.
func onionctlExitCode(for error: any Error) -> Int32 {
    switch error {
    case let error as DeviceError:
        switch error {
        case .invalidValue, .wrongKind: return ExitCodes.invalidInput
        case .noSuchDevice: return ExitCodes.noSuchDevice
        case let .unreachable(_, inner): return onionctlExitCode(for: inner)
        case .timedOut: return ExitCodes.offline
        case .rejected: return ExitCodes.httpError
        case .unexpectedAnswer, .http: return ExitCodes.unexpectedAnswer
        case .noDirectory: return ExitCodes.noDirectory
        case .tor: return ExitCodes.torFailure
        }
    case let error as OnionServiceError:
        switch error {
        case .invalidAddress: return ExitCodes.invalidInput
        case .clientAuthorizationRequired, .clientAuthorizationRejected: return ExitCodes.clientAuth
        case .descriptorNotFound, .serviceOffline, .introductionFailed, .rendezvousFailed, .timedOut, .streamRefused:
            return ExitCodes.offline
        case .badDescriptor, .network: return ExitCodes.torFailure
        }
    case let error as AddressBookError:
        switch error {
        case .noSuchDevice: return ExitCodes.noSuchDevice
        case .invalidName, .duplicateName, .duplicateAddress: return ExitCodes.invalidInput
        case .corrupt, .newerSchema, .keyFile, .lockTimeout, .io: return ExitCodes.addressBook
        }
    case is CLIError, is ClientAuthKeyError, is OnionAddressError, is TorClientError: return ExitCodes.invalidInput
    case is DirectoryError: return ExitCodes.noDirectory
    case is HTTPError: return ExitCodes.unexpectedAnswer
    default: return ExitCodes.unexpected
    }
}

/// A category for `--json` error objects.
func errorKind(_ error: any Error) -> String {
    switch error {
    case let error as DeviceError: return error.kind
    case let error as OnionServiceError: return error.kind
    case let error as AddressBookError: return error.kind
    case is CLIError, is ClientAuthKeyError, is OnionAddressError: return "invalid-input"
    case is DirectoryError: return "no-directory"
    default: return "error"
    }
}

/// Reports `error` (stderr; with `--json` also a JSON object on stdout) and returns the exit.
func report(_ error: any Error, json: Bool) -> ExitCode {
    if let exit = error as? ExitCode { return exit }
    let code = onionctlExitCode(for: error)
    if json {
        struct ErrorOutput: Encodable { var error: String; var kind: String; var exitCode: Int32 }
        try? printJSON(ErrorOutput(error: "\(error)", kind: errorKind(error), exitCode: code))
    }
    return fail("\(error)", code: code)
}

/// Runs a command body, turning any error into a reported exit.
func reporting(json: Bool, _ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw report(error, json: json) }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("onionctl: warning: \(message)\n".utf8))
}

/// Options of commands that talk to devices.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds allowed to reach a device (Minitor devices take one introduction per 5–20 s).", valueName: "SECONDS"))
    var timeout: Double = 120

    @Flag(name: [.customShort("v"), .long], help: "Report connection progress on stderr.")
    var verbose = false

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
        for problem in store.insecurePermissions() {
            FileHandle.standardError.write(Data("onionctl: warning: \(problem)\n".utf8))
        }
        var keys: [String: ClientAuthKey] = [:]
        for entry in entries {
            if let key = try store.key(for: entry) { keys[entry.name] = key }
        }
        let tor = TorClient(configuration: try global.torConfiguration())
        let service = await DeviceService(devices: entries, keys: keys, tor: tor, limits: connection.limits)
        if connection.verbose {
            await service.addProgressHandler { event in
                FileHandle.standardError.write(Data(String(format: "[%6.2fs] %@: %@ %@\n", event.elapsed, event.device,
                                                           event.phase.description, event.detail).utf8))
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
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    guard let answer = readLine() else { return false }
    return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
}

extension DeviceKind: ExpressibleByArgument {}
extension ThermostatMode: ExpressibleByArgument {}
