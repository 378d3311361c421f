/// A failure whose exit code and `--json` kind the command decided itself (e.g. `tor bootstrap`:
/// every failure to get a directory is "no Tor directory", exit 3).
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong and what to do, in one sentence.
    var message: String
    /// The documented exit code (``ExitCodes``).
    var code: Int32
    /// The documented `kind` of the JSON error document.
    var kind: String

    var description: String { message }

    /// No usable Tor directory (exit 3): the network is unreachable, or its authorities' answers were unusable.
    static func noDirectory(_ error: any Error) -> CommandFailure {
        CommandFailure(message: "no usable Tor directory: \(error) (check the network file and that its authorities are running)",
                       code: ExitCodes.noDirectory, kind: "no-directory")
    }
}
