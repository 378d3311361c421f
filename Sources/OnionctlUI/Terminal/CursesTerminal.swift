import CNCurses
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the dashboard could not take over the terminal; `message` says what to do instead.
public struct TerminalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The only code that calls ncurses. One dedicated thread owns it from `newterm` to `endwin`:
/// it renders the latest published ``DashboardState`` (through ``DashboardRenderer`` into a
/// ``ScreenGrid``, then copies the grid with `werase` + `wnoutrefresh` + `doupdate`) and reads
/// keys, which leave through the `keys` callback (the app yields them into an `AsyncStream`).
/// States come in through a lock-protected latest-value box plus a wake-up pipe, so the UI never
/// waits for the network and bursts of updates coalesce into one frame.
///
/// The C side of the restore logic (saved termios, precomputed `sgr0 cnorm rmcup`, signal
/// handlers) keeps `static` state in `shim.h`: it must only be called from this file.
final class CursesTerminal: Sendable {
    private struct Shared {
        var state: DashboardState?
        var version = 0
        var fullRedraw = false
        var stopping = false
        var exited = false
        var onExit: CheckedContinuation<Void, Never>?
    }

    private let shared = LockedBox(Shared())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init(wakeRead: Int32, wakeWrite: Int32) {
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
    }

    /// Starts the ncurses thread; returns once the terminal is in curses mode, or throws a
    /// ``TerminalError`` explaining why it cannot be (no tty, unknown `TERM`, `TERM=dumb`, …).
    static func start(options: DashboardOptions, theme: Theme, keys: @escaping @Sendable (Key) -> Void) async throws
        -> CursesTerminal {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let terminal = CursesTerminal(wakeRead: fds[0], wakeWrite: fds[1])
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            do {
                try startPosixThread(name: "onionctl-ncurses") {
                    terminal.threadMain(options: options, theme: theme, keys: keys, started: started)
                }
            } catch {
                started.resume(throwing: TerminalError("\(error)"))
            }
        }
        return terminal
    }

    /// Makes `state` the next frame (the UI thread picks it up at once).
    func publish(_ state: DashboardState) {
        shared.withLock {
            $0.state = state
            $0.version += 1
        }
        wake()
    }

    /// Clears and repaints the whole terminal on the next frame (Ctrl-L).
    func requestFullRedraw() {
        shared.withLock { $0.fullRedraw = true }
        wake()
    }

    /// Leaves curses mode (alternate screen off, cursor on, modes restored) and ends the thread.
    func stop() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let exited = shared.withLock { s -> Bool in
                s.stopping = true
                if s.exited { return true }
                s.onExit = done
                return false
            }
            if exited { done.resume() } else { wake() }
        }
        close(wakeRead)
        close(wakeWrite)
    }

    private func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    // MARK: The ncurses thread

    private func threadMain(options: DashboardOptions, theme: Theme, keys: @escaping @Sendable (Key) -> Void,
                            started: CheckedContinuation<Void, any Error>) {
        setlocale(LC_ALL, "")
        guard isatty(0) == 1, isatty(1) == 1 else {
            finish()
            started.resume(throwing: TerminalError(
                "The dashboard needs a terminal, but standard input or output is redirected. "
                + "Use onionctl's subcommands (list, get, set, …) in scripts."))
            return
        }
        let term = options.term ?? options.environment["TERM"] ?? ""
        guard !term.isEmpty else {
            finish()
            started.resume(throwing: TerminalError("TERM is not set. Run e.g. TERM=xterm-256color onionctl."))
            return
        }
        onionctl_save_termios(0)
        onionctl_install_handlers(wakeWrite)
        guard let output = fdopen(1, "w"), let input = fdopen(0, "r"),
              let screen = term.withCString({ newterm($0, output, input) }) else {
            onionctl_remove_handlers()
            finish()
            started.resume(throwing: TerminalError(
                "This machine's terminfo database has no entry for TERM=\(term), so onionctl cannot drive the terminal. "
                + "Try TERM=xterm-256color onionctl (or screen-256color, tmux-256color, vt100), "
                + "or install the entry (Debian: apt install ncurses-term)."))
            return
        }
        _ = set_term(screen)
        guard onionctl_has_string_cap("cup") != 0 else {
            endwin()
            delscreen(screen)
            onionctl_remove_handlers()
            finish()
            started.resume(throwing: TerminalError(
                "TERM=\(term) cannot move the cursor, which a full-screen dashboard needs. "
                + "Use a real terminal type (e.g. TERM=xterm-256color), or onionctl's subcommands instead."))
            return
        }
        onionctl_prepare_restore()
        onionctl_set_curses_active(1)
        let win = onionctl_stdscr()!
        cbreak()
        noecho()
        nonl()
        keypad(win, true)
        nodelay(win, true)
        curs_set(0)
        set_escdelay(Int32(options.escapeDelayMilliseconds))

        // COLORS is only set by start_color(); an explicit "never" must not touch the palette at all.
        let wantsColor = options.color != .never && has_colors()
        if wantsColor { start_color() }
        let colors = wantsColor ? Int(onionctl_COLORS()) : 0
        let level = ColorLevel.choose(colors: colors, noColor: options.environment["NO_COLOR"], choice: options.color)
        let palette = Palette(theme: theme, level: level)
        var attrs: [Role: (UInt32, Int32)] = [:]
        var defaultColors = false
        if level != .monochrome { defaultColors = use_default_colors() == OK }
        var pairs: [Int64: Int32] = [:]
        let maxPairs = Int32(level == .monochrome ? 0 : onionctl_COLOR_PAIRS())
        for role in Role.allCases {
            let style = palette[role]
            var a = onionctl_A_NORMAL()
            if style.attributes.contains(.bold) { a |= onionctl_A_BOLD() }
            if style.attributes.contains(.dim) { a |= onionctl_A_DIM() }
            if style.attributes.contains(.underline) { a |= onionctl_A_UNDERLINE() }
            if style.attributes.contains(.reverse) { a |= onionctl_A_REVERSE() }
            if style.attributes.contains(.standout) { a |= onionctl_A_STANDOUT() }
            var pair: Int32 = 0
            if level != .monochrome, style.foreground != -1 || style.background != -1 {
                var fg = Int32(style.foreground), bg = Int32(style.background)
                if !defaultColors {
                    if fg == -1 { fg = Int32(COLOR_WHITE) }
                    if bg == -1 { bg = Int32(COLOR_BLACK) }
                }
                let key = Int64(fg) << 32 | Int64(UInt32(bitPattern: bg))
                if let p = pairs[key] {
                    pair = p
                } else if Int32(pairs.count + 1) < maxPairs {
                    pair = Int32(pairs.count + 1)
                    if init_extended_pair(pair, fg, bg) == OK { pairs[key] = pair } else { pair = 0 }
                }
            }
            attrs[role] = (a, pair)
        }
        let renderer = DashboardRenderer(glyphs: options.glyphs(codeset: String(cString: onionctl_codeset()), term: term),
                                         keyMap: options.keyMap, timeZone: options.timeZone)
        started.resume()

        var lastVersion = -1
        var lastSize = (0, 0)
        var quitSent = false
        var buffer: [wchar_t] = []
        loop: while true {
            if onionctl_quit_requested() != 0, !quitSent {
                quitSent = true
                keys(.ctrl("c"))
            }
            let (state, version, full, stopping) = shared.withLock { s -> (DashboardState?, Int, Bool, Bool) in
                defer { s.fullRedraw = false }
                return (s.state, s.version, s.fullRedraw, s.stopping)
            }
            if stopping { break loop }
            let size = (Int(onionctl_getmaxx(win)), Int(onionctl_getmaxy(win)))
            if let state, version != lastVersion || size != lastSize || full {
                let grid = renderer.render(state, width: size.0, height: size.1)
                if full { clearok(win, true) }
                werase(win)
                for y in 0..<grid.height {
                    var x = 0
                    while x < grid.width {
                        let role = grid[x, y].role
                        let start = x
                        buffer.removeAll(keepingCapacity: true)
                        while x < grid.width, grid[x, y].role == role {
                            let cell = grid[x, y]
                            if !cell.isContinuation {
                                for scalar in cell.character.unicodeScalars { buffer.append(wchar_t(bitPattern: scalar.value)) }
                            }
                            x += 1
                        }
                        let (a, pair) = attrs[role] ?? (onionctl_A_NORMAL(), 0)
                        _ = onionctl_wattr_set(win, a, pair)
                        buffer.append(0)
                        _ = mvwaddnwstr(win, Int32(y), Int32(start), buffer, Int32(buffer.count - 1))
                    }
                }
                _ = onionctl_wattr_set(win, onionctl_A_NORMAL(), 0)
                wnoutrefresh(win)
                doupdate()
                lastVersion = version
                lastSize = size
            }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 250)
            if fds[1].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &sink, 64) > 0 {}
            }
            while true {
                var wch: wint_t = 0
                let r = wget_wch(win, &wch)
                if r == ERR { break }
                if let key = Self.decode(result: r, code: wch) {
                    if key == .resize { lastSize = (0, 0) }
                    keys(key)
                }
            }
        }
        curs_set(1)
        endwin()
        onionctl_set_curses_active(0)
        delscreen(screen)
        onionctl_remove_handlers()
        finish()
    }

    private func finish() {
        let waiter = shared.withLock { s -> CheckedContinuation<Void, Never>? in
            s.exited = true
            defer { s.onExit = nil }
            return s.onExit
        }
        waiter?.resume()
    }

    /// Normalises what `wget_wch` returned into a ``Key``.
    static func decode(result: Int32, code: wint_t) -> Key? {
        let c = Int32(bitPattern: code)
        if result == KEY_CODE_YES {
            switch c {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case onionctl_KEY_RESIZE(): return .resize
            case KEY_F0 + 1...KEY_F0 + 12: return .function(Int(c - KEY_F0))
            default: return nil
            }
        }
        return key(forCharacter: UInt32(code))
    }

    /// Keys for plain characters and control codes.
    static func key(forCharacter v: UInt32) -> Key? {
        switch v {
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 9: return .tab
        case 1...26: return .ctrl(Character(UnicodeScalar(v + 96)!))
        case 0..<32: return nil
        default: return UnicodeScalar(v).map { .char(Character($0)) }
        }
    }
}
