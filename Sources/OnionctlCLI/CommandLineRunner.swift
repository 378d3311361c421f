import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Parses `arguments`, runs the command, and exits with onionctl's documented exit code.
///
/// Every outcome goes through here, so it is reported one way: a usage mistake (unknown command,
/// unknown option, missing or bad argument) exits 2 like any other invalid input; any error a
/// command throws is reported by ``report(_:json:)`` (with `--json`: exactly one JSON document on
/// stdout); SIGPIPE is ignored so a closed pipe never kills or crashes onionctl (``StandardStreams``).
func runOnionctl(_ arguments: [String]?) async -> Never {
    StandardStreams.ignoreBrokenPipes()
    let arguments = joiningNegativeValues(arguments ?? Array(CommandLine.arguments.dropFirst()))
    let json = wantsJSON(arguments)
    var command: any ParsableCommand
    do {
        if let unknown = unknownCommand(in: arguments) { throw unknown }
        command = try Onionctl.parseAsRoot(arguments)
    } catch let error as UsageError {
        exit(report(error, json: json).rawValue)
    } catch {
        // --help, --version and completion scripts are not errors: ArgumentParser prints them.
        if Onionctl.exitCode(for: error) == .success { Onionctl.exit(withError: error) }
        let usage = UsageError(Onionctl.message(for: error), usage: Onionctl.fullMessage(for: error))
        exit(report(usage, json: json).rawValue)
    }
    do {
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        // `--help` after a subcommand is thrown by ArgumentParser's own help command.
        if !(error is ExitCode), Onionctl.exitCode(for: error) == .success { Onionctl.exit(withError: error) }
        exit(report(error, json: json).rawValue)
    }
    exit(ExitCodes.ok)
}

/// `--timeout -1` as `--timeout=-1`, so a negative number reaches the option's own check ("must be
/// above 0") instead of ArgumentParser's "missing value" (it takes `-1` for an option).
func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--", index + 1 <= arguments.count {
            result += arguments[index...]
            break
        }
        if argument == "--timeout", index + 1 < arguments.count, arguments[index + 1].hasPrefix("-"),
           Double(arguments[index + 1]) != nil {
            result.append("--timeout=" + arguments[index + 1])
            index += 2
            continue
        }
        result.append(argument)
        index += 1
    }
    return result
}

/// Whether `--json` was given (before a `--` that ends the options).
func wantsJSON(_ arguments: [String]) -> Bool {
    for argument in arguments {
        if argument == "--" { return false }
        if argument == "--json" { return true }
    }
    return false
}

/// A mistake in how onionctl was called: exit 2, kind `usage`.
struct UsageError: Error, CustomStringConvertible {
    /// What is wrong, in one sentence.
    var message: String
    /// The text for stderr: the message plus the usage line and where to find help.
    var usage: String

    init(_ message: String, usage: String? = nil) {
        self.message = message
        self.usage = usage ?? message
    }

    var description: String { message }
}

/// `onionctl bogus`: a first word that is no command (rather than the dashboard's usage), with the
/// nearest command as a suggestion.
func unknownCommand(in arguments: [String]) -> UsageError? {
    guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
    let names = Onionctl.configuration.subcommands.map { $0._commandName } + ["help"]
    guard !names.contains(first) else { return nil }
    let nearest = names.map { ($0, editDistance($0, first)) }.min { $0.1 < $1.1 }
    var message = "unknown command '\(first)'"
    if let nearest, nearest.1 <= max(2, first.count / 3) { message += "; did you mean '\(nearest.0)'?" }
    let usage = message + "\nCommands: " + names.filter { $0 != "help" }.joined(separator: ", ")
        + ". See 'onionctl --help'."
    return UsageError(message, usage: usage)
}

/// Levenshtein distance, for command suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
