import FoundationEssentials

/// How to run the dashboard. The `onionctl` executable fills it from `--theme`, `--color`,
/// `--ascii` and the config file.
public struct DashboardOptions: Sendable {
    /// A built-in theme name (`default`, `light`, `high-contrast`, `monochrome`) or a `.toml` path.
    public var theme: String
    public var color: ColorChoice
    /// Force ASCII lines and charts even in a UTF-8 locale.
    public var ascii: Bool
    /// Overrides `TERM`.
    public var term: String?
    /// `NO_COLOR`, `TERM`, theme search paths come from here.
    public var environment: [String: String]
    /// Esc latency in ms (ncurses' default is a full second).
    public var escapeDelayMilliseconds: Int
    public var keyMap: KeyMap
    public var timeZone: ClockZone
    /// How often ages ("3s ago") are re-rendered.
    public var tickInterval: Duration

    public init(theme: String = "default", color: ColorChoice = .auto, ascii: Bool = false, term: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                escapeDelayMilliseconds: Int = 25, keyMap: KeyMap = .standard, timeZone: ClockZone = .local,
                tickInterval: Duration = .seconds(1)) {
        self.theme = theme
        self.color = color
        self.ascii = ascii
        self.term = term
        self.environment = environment
        self.escapeDelayMilliseconds = escapeDelayMilliseconds
        self.keyMap = keyMap
        self.timeZone = timeZone
        self.tickInterval = tickInterval
    }

    /// Unicode or ASCII, from the locale's codeset, `TERM` and ``ascii``.
    public func glyphs(codeset: String, term: String?) -> Glyphs {
        Glyphs.choose(codeset: codeset, term: term, forceASCII: ascii)
    }
}

/// Runs the terminal dashboard until the user quits (`q`, Ctrl-C, `:q`) or the process gets
/// SIGTERM/SIGHUP, then restores the terminal and returns.
///
/// Threads: one dedicated thread owns ncurses (``CursesTerminal``); this async function runs the
/// pure ``DashboardReducer`` over one `AsyncStream` of events — keys from the ncurses thread,
/// snapshots from `backend.snapshots()`, clock ticks, and the results of backend calls, which
/// run in their own tasks so a slow device never blocks the UI — and publishes each new
/// ``DashboardState`` to the ncurses thread.
///
/// - Throws: ``TerminalError`` if the terminal cannot be used (no tty, unknown `TERM`, …),
///   ``ThemeError`` if the theme cannot be loaded. Both carry a message for the user.
public func runDashboard(backend: any DashboardBackend, options: DashboardOptions = DashboardOptions()) async throws {
    let theme = try Theme.load(options.theme, environment: options.environment)
    let (events, sink) = AsyncStream.makeStream(of: DashboardEvent.self)
    let terminal = try await CursesTerminal.start(options: options, theme: theme) { key in sink.yield(.key(key)) }

    let snapshots = Task {
        for await snapshot in backend.snapshots() { sink.yield(.snapshot(snapshot)) }
    }
    let ticks = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.tickInterval)
            sink.yield(.tick(Date()))
        }
    }
    defer {
        snapshots.cancel()
        ticks.cancel()
    }

    let reducer = DashboardReducer(keyMap: options.keyMap)
    var state = DashboardState(now: Date())
    terminal.publish(state)
    loop: for await event in events {
        var quit = false
        for effect in reducer.reduce(&state, event) {
            switch effect {
            case .quit: quit = true
            case .fullRedraw: terminal.requestFullRedraw()
            case let .perform(action):
                Task {
                    do {
                        let message = try await action.perform(on: backend)
                        sink.yield(.actionFinished(action, message: message, failure: nil))
                    } catch {
                        sink.yield(.actionFinished(action, message: nil, failure: String(describing: error)))
                    }
                }
            }
        }
        if quit { break loop }
        terminal.publish(state)
    }
    sink.finish()
    await terminal.stop()
}
