/// A key press, normalised from whatever the terminal sent (see `CursesTerminal`).
public enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right
    case enter, escape, backspace, delete, tab, backTab
    case home, end, pageUp, pageDown
    /// Ctrl + a letter (lower case), e.g. `.ctrl("l")`.
    case ctrl(Character)
    case function(Int)
    /// The terminal changed size (ncurses' `KEY_RESIZE`).
    case resize

    /// How the help overlay and the hint line spell the key.
    public var label: String {
        switch self {
        case let .char(c): return c == " " ? "Space" : String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case let .ctrl(c): return "Ctrl-\(String(c).uppercased())"
        case let .function(n): return "F\(n)"
        case .resize: return "resize"
        }
    }

    /// ASCII spelling for terminals without Unicode arrows.
    public var asciiLabel: String {
        switch self {
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        default: return label
        }
    }
}

/// What a binding does. The reducer dispatches on these, never on raw keys.
public enum Command: String, Sendable, CaseIterable {
    case moveUp, moveDown, top, bottom, open, back
    case setpointUp, setpointDown, cycleMode, togglePin, refresh
    case add, delete, filter, commandLine
    case nextScreen, previousScreen, showDevices, showTor, showLog
    case help, redraw, quit
}

/// Where a binding applies.
public enum KeyScope: String, Sendable, CaseIterable {
    /// Everywhere outside text entry and dialogs.
    case global
    /// The device list.
    case devices
    /// A device's detail screen.
    case detail
    /// Thermostat detail (and the list, on a selected thermostat).
    case thermostat
    /// Pins detail.
    case pins

    /// Heading in the help overlay.
    public var title: String {
        switch self {
        case .global: return "Everywhere"
        case .devices: return "Device list"
        case .detail: return "Device detail"
        case .thermostat: return "Thermostat"
        case .pins: return "Pins"
        }
    }
}

/// One row of the key table: the keys, what they do, and where.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var command: Command
    public var scopes: [KeyScope]
    public var description: String
    /// Needs a confirmation dialog (the help marks it).
    public var dangerous: Bool

    public init(_ keys: [Key], _ command: Command, _ scopes: [KeyScope], _ description: String,
                dangerous: Bool = false) {
        self.keys = keys
        self.command = command
        self.scopes = scopes
        self.description = description
        self.dangerous = dangerous
    }

    /// "↑ k" style label of all keys.
    public func label(ascii: Bool) -> String {
        keys.map { ascii ? $0.asciiLabel : $0.label }.joined(separator: " ")
    }
}

/// The single key table: the reducer dispatches from it and the help overlay and hint line are
/// generated from it, so they cannot disagree.
public struct KeyMap: Sendable {
    public var bindings: [KeyBinding]

    public init(bindings: [KeyBinding]) { self.bindings = bindings }

    /// onionctl's keys.
    public static let standard = KeyMap(bindings: [
        KeyBinding([.up, .char("k")], .moveUp, [.devices, .pins], "move up"),
        KeyBinding([.down, .char("j")], .moveDown, [.devices, .pins], "move down"),
        KeyBinding([.home, .char("g")], .top, [.devices, .pins], "first"),
        KeyBinding([.end, .char("G")], .bottom, [.devices, .pins], "last"),
        KeyBinding([.enter], .open, [.devices], "open device"),
        KeyBinding([.escape, .backspace], .back, [.detail], "back to the list"),
        KeyBinding([.char("+"), .char("=")], .setpointUp, [.thermostat], "setpoint up a step"),
        KeyBinding([.char("-")], .setpointDown, [.thermostat], "setpoint down a step"),
        KeyBinding([.char("m")], .cycleMode, [.thermostat], "next mode (off/heat/…)"),
        KeyBinding([.char(" ")], .togglePin, [.pins], "toggle selected pin"),
        KeyBinding([.char("r")], .refresh, [.devices, .detail], "refresh / reconnect"),
        KeyBinding([.char("a")], .add, [.devices], "add a device"),
        KeyBinding([.char("d"), .delete], .delete, [.devices, .detail], "remove device",
                   dangerous: true),
        KeyBinding([.char("/")], .filter, [.devices], "filter the list"),
        KeyBinding([.char(":")], .commandLine, [.global], "command line (:help)"),
        KeyBinding([.tab], .nextScreen, [.global], "next screen"),
        KeyBinding([.backTab], .previousScreen, [.global], "previous screen"),
        KeyBinding([.char("1")], .showDevices, [.global], "devices"),
        KeyBinding([.char("2")], .showTor, [.global], "Tor status"),
        KeyBinding([.char("3")], .showLog, [.global], "log"),
        KeyBinding([.char("?"), .function(1)], .help, [.global], "this help"),
        KeyBinding([.ctrl("l")], .redraw, [.global], "redraw the screen"),
        KeyBinding([.char("q"), .ctrl("c")], .quit, [.global], "quit"),
    ])

    /// The command bound to `key` in the first of `scopes` that binds it, then in `.global`.
    public func command(for key: Key, in scopes: [KeyScope]) -> Command? {
        for scope in scopes + [.global] {
            if let b = bindings.first(where: { $0.scopes.contains(scope) && $0.keys.contains(key) }) {
                return b.command
            }
        }
        return nil
    }

    /// The binding for `command`.
    public func binding(for command: Command) -> KeyBinding? { bindings.first { $0.command == command } }
}
