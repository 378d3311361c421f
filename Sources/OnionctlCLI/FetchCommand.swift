import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import OnionService
import TorCircuits
import TorClient
import TorCrypto

/// `onionctl fetch`: a curl-like request to an onion service through the embedded Tor client.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Fetch an http://….onion/ URL through the embedded Tor client and print the body.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("auth-private"), help: ArgumentHelp("Client-authorization key: a tor .auth_private file or a ClientOnionAuthDir folder.", valueName: "FILE|DIR"))
    var authPrivate: String?

    @Option(name: .customShort("X"), help: "HTTP method.")
    var method = "GET"

    @Option(name: .customShort("d"), help: "Request body (sent with Content-Length; method defaults to POST).")
    var data: String?

    @Option(name: .customShort("H"), help: "Extra request header, 'Name: value' (repeatable).")
    var header: [String] = []

    @Flag(name: .customShort("i"), help: "Include the response status line and headers in the output.")
    var includeHeaders = false

    @Flag(name: .customShort("v"), help: "Report connection progress on stderr.")
    var verbose = false

    @Option(help: "Seconds to wait for the whole request.")
    var timeout: Double = 120

    @Option(name: .customLong("repeat"), help: "Send the request N times (one stream each, same circuit) and report timings on stderr.")
    var repeatCount: Int = 1

    @Argument(help: "The URL, e.g. http://<address>.onion/api/v1/thermostat")
    var url: String

    func validate() throws {
        guard timeout.isFinite, timeout > 0 else {
            throw ValidationError("--timeout must be a number of seconds above 0, e.g. --timeout 60")
        }
    }

    func run() async throws {
        let target: OnionURL
        target = try OnionURL(url)
        let client = TorClient(configuration: try global.torConfiguration())
        if let authPrivate {
            let keys: [OnionAddress: X25519PrivateKey]
            keys = try ClientAuthLoading.load(authPrivate)
            if let key = keys[target.address] { await client.setClientAuthKey(key, for: target.address) }
        } else {
            // A device in the address book brings its stored key.
            let store = AddressBookStore.standard()
            if let entry = (try? store.load())?.device(for: target.address) {
                do {
                    if let key = try store.key(for: entry) { await client.setClientAuthKey(key.privateKey, for: target.address) }
                } catch {
                    // An unprotected key is refused, never silently skipped; a broken one is said.
                    if case .unprotectedKey = error { throw error }
                    warn("\(error); fetching without a key")
                }
            }
        }
        if verbose {
            await client.addProgressHandler { event in
                sayOnStandardError("[\(event.elapsed.fixed(2).leftPadded(to: 6))s] \(event.phase.description): \(event.detail)")
            }
        }
        var headers = [(String, String)]()
        for line in header {
            guard let colon = line.firstIndex(of: ":") else { throw CLIError.usage("bad header '\(line)': use 'Name: value'") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingBlanks()))
        }
        let body = Array((data ?? "").utf8)
        if !body.isEmpty && !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/json"))
        }
        let chosenMethod = data != nil && method == "GET" ? "POST" : method
        let request = HTTPRequest(method: chosenMethod, path: target.path, host: target.address.description, headers: headers, body: body)
        let response: HTTPResponse
        var timings = [Double]()
        do {
            let seconds = timeout
            var last: HTTPResponse?
            for _ in 0..<max(1, self.repeatCount) {
                let started = Date()
                last = try await withTimeout(seconds, error: HTTPError.timedOut("after \(Int(seconds)) s")) {
                    let stream = try await client.connect(to: target.address, port: target.port)
                    defer { stream.close() }
                    return try await HTTPClient(timeout: seconds).send(request, over: stream)
                }
                timings.append(Date().timeIntervalSince(started))
            }
            response = last!
        } catch {
            await client.shutdown()
            throw error
        }
        if self.repeatCount > 1 { StandardStreams.err(TimingSummary(timings).text) }
        await client.shutdown()
        if global.json {
            // One document: the answer, or for an HTTP error the error document (exit 22).
            guard response.status < 400 else { throw HTTPStatusFailure(response) }
            try printJSON(HTTPAnswerOutput(response))
            return
        }
        // The status line and headers are for people: escaped. The body is data, exact like curl's,
        // unless it goes to a terminal, where its control characters are escaped and a last line
        // break is added so the shell prompt starts on its own line.
        if includeHeaders { StandardStreams.out(safeMultiline(Array(response.headText.utf8))) }
        if isatty(STDOUT_FILENO) != 0 {
            let text = safeMultiline(response.body)
            StandardStreams.out(text.isEmpty || text.hasSuffix("\n") ? text : text + "\n")
        } else {
            StandardStreams.out(Data(response.body))
        }
        if response.status >= 400 { throw ExitCode(ExitCodes.httpError) }
    }

}
