import Foundation

/// Command-line options of `onion-device`.
public struct DeviceOptions: Sendable, Equatable {
    public var listen: LoopbackAddress
    public var statePath: String?
    public var kind: DeviceKind
    public var quirks: HTTPQuirks
    public var name: String?
    /// Overrides the minimum time between accepted connections (Minitor default 3 s).
    public var acceptInterval: TimeInterval?
    /// Overrides the idle/after-response close timeout (default 30 s, Minitor 5 s).
    public var idleTimeout: TimeInterval?
    /// Answer with terminal escape sequences in the name, reason phrases and error bodies (``HostileText``).
    public var hostileText: Bool
    /// Append every applied change to this file (``ChangeLog``).
    public var changeLogPath: String?

    public init(listen: LoopbackAddress, statePath: String?, kind: DeviceKind = .thermostat,
                quirks: HTTPQuirks = .none, name: String? = nil,
                acceptInterval: TimeInterval? = nil, idleTimeout: TimeInterval? = nil, hostileText: Bool = false,
                changeLogPath: String? = nil) {
        self.listen = listen
        self.statePath = statePath
        self.kind = kind
        self.quirks = quirks
        self.name = name
        self.acceptInterval = acceptInterval
        self.idleTimeout = idleTimeout
        self.hostileText = hostileText
        self.changeLogPath = changeLogPath
    }

    /// Usage text for `--help` and errors.
    public static let usage = """
    usage: onion-device --listen 127.0.0.1:PORT --state FILE [--kind thermostat|pins]
                        [--quirks minitor] [--name NAME] [--accept-interval SECONDS]
                        [--idle-timeout SECONDS] [--hostile-text] [--change-log FILE]

    A simulated IoT device (a thermostat, or a code-me-not pin controller) serving HTTP/1.1
    on loopback, for publishing as a Tor onion service in tests and demos.

      --listen HOST:PORT        loopback address to listen on (127.0.0.0/8 or [::1]); port 0 = any
      --state FILE              JSON state file, created if missing, saved atomically on change
      --kind KIND               thermostat (default) or pins
      --quirks minitor          behave like ESP-IDF's httpd behind Minitor (see docs/device-api.md)
      --name NAME               device name shown by the API
      --accept-interval SECONDS minimum time between accepted connections (minitor default 3)
      --idle-timeout SECONDS    close idle connections after this long (default 30, minitor 5)
      --hostile-text            put terminal escape sequences and control characters in the
                                name, reason phrases, a header and error bodies (for tests)
      --change-log FILE         append one JSON line per applied change (PATCH/PUT/POST/DELETE
                                answered 2xx) to FILE, for reconciling what a client was told
    """

    /// Why the command line was refused.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case helpRequested
        case invalid(String)

        public var description: String {
            switch self {
            case .helpRequested: return DeviceOptions.usage
            case .invalid(let message): return message
            }
        }
    }

    /// Parses arguments (without the program name).
    public static func parse(_ arguments: [String]) throws(Failure) -> DeviceOptions {
        var listen: LoopbackAddress?
        var statePath: String?
        var kind = DeviceKind.thermostat
        var quirks = HTTPQuirks.none
        var name: String?
        var acceptInterval: TimeInterval?
        var idleTimeout: TimeInterval?
        var hostileText = false
        var changeLogPath: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            var option = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                option = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(Failure) -> String {
                if let inlineValue { return inlineValue }
                guard let next = iterator.next() else { throw .invalid("\(option) needs a value.") }
                return next
            }
            func seconds() throws(Failure) -> TimeInterval {
                let text = try value()
                guard let number = TimeInterval(text), number >= 0, number.isFinite else {
                    throw .invalid("\(option) needs a number of seconds, not \"\(text)\".")
                }
                return number
            }
            switch option {
            case "-h", "--help":
                throw .helpRequested
            case "--listen":
                do {
                    listen = try LoopbackAddress(parsing: try value())
                } catch let error as LoopbackAddress.Failure {
                    throw .invalid(error.description)
                } catch {
                    throw .invalid("\(error)")
                }
            case "--state":
                statePath = try value()
            case "--kind":
                let text = try value()
                guard let parsed = DeviceKind(rawValue: text) else {
                    throw .invalid("--kind must be thermostat or pins, not \"\(text)\".")
                }
                kind = parsed
            case "--quirks":
                let text = try value()
                guard let parsed = HTTPQuirks(rawValue: text) else {
                    throw .invalid("--quirks must be minitor or none, not \"\(text)\".")
                }
                quirks = parsed
            case "--name":
                name = try value()
            case "--accept-interval":
                acceptInterval = try seconds()
            case "--idle-timeout":
                idleTimeout = try seconds()
            case "--hostile-text":
                hostileText = true
            case "--change-log":
                changeLogPath = try value()
            default:
                throw .invalid("Unknown option \"\(argument)\"; see --help.")
            }
        }
        guard let listen else { throw .invalid("--listen 127.0.0.1:PORT is required.") }
        guard let statePath else { throw .invalid("--state FILE is required.") }
        return DeviceOptions(listen: listen, statePath: statePath, kind: kind, quirks: quirks, name: name,
                             acceptInterval: acceptInterval, idleTimeout: idleTimeout, hostileText: hostileText,
                             changeLogPath: changeLogPath)
    }
}
