/// What was wrong with a directory document, with the line where it happened.
///
/// Lines are 1-based. For a problem with an object (`-----BEGIN TAG-----` … `-----END TAG-----`)
/// the line is the object's BEGIN line, wherever inside the object the problem was found.
public enum NetDocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingKeyword(String)
    case repeatedKeyword(String, line: Int)
    case missingArgument(keyword: String, index: Int, line: Int)
    case badArgument(keyword: String, value: String, line: Int)
    case malformedObject(tag: String, line: Int, detail: String)
    case unexpectedObject(line: Int)
    case wrongDocument(String)
    /// A line longer than ``NetDocument/maximumLineLength`` bytes (C tor: "Line far too long").
    case lineTooLong(line: Int, length: Int)
    /// More than ``NetDocument/maximumArguments`` arguments (C tor: "Far too many arguments").
    case tooManyArguments(keyword: String, count: Int, line: Int)
    /// A NUL byte, which no directory document contains (C tor: "internal NUL character").
    case nulCharacter(line: Int)

    /// The line the error names, if any.
    public var line: Int? {
        switch self {
        case .missingKeyword, .wrongDocument: return nil
        case let .repeatedKeyword(_, line), let .missingArgument(_, _, line), let .badArgument(_, _, line),
             let .malformedObject(_, line, _), let .unexpectedObject(line), let .lineTooLong(line, _),
             let .tooManyArguments(_, _, line), let .nulCharacter(line):
            return line
        }
    }

    public var description: String {
        switch self {
        case let .missingKeyword(keyword): return "required line '\(keyword)' is missing"
        case let .repeatedKeyword(keyword, line): return "line \(line): '\(keyword)' may appear only once"
        case let .missingArgument(keyword, index, line): return "line \(line): '\(keyword)' lacks argument \(index + 1)"
        case let .badArgument(keyword, value, line): return "line \(line): '\(keyword)' has a bad value '\(value)'"
        case let .malformedObject(tag, line, detail): return "line \(line): object \(tag) is malformed (\(detail))"
        case let .unexpectedObject(line): return "line \(line): object without a keyword line before it"
        case let .wrongDocument(detail): return "not the expected document: \(detail)"
        case let .lineTooLong(line, length):
            return "line \(line): \(length) bytes long, more than the \(NetDocument.maximumLineLength) allowed"
        case let .tooManyArguments(keyword, count, line):
            return "line \(line): '\(keyword)' has \(count) arguments, more than the \(NetDocument.maximumArguments) allowed"
        case let .nulCharacter(line): return "line \(line): contains a NUL byte"
        }
    }
}
