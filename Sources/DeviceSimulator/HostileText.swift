/// `--hostile-text`: a device whose answers carry terminal escape sequences and control
/// characters, for the tests that onionctl never writes device text to a terminal raw
/// (docs/reliability.md, "Terminal safety"). The device name (and so every JSON answer that
/// carries it), the status line's reason phrase, an `X-Device-Status` header and the `error`
/// string of every 4xx/5xx JSON body are wrapped in: an OSC window-title sequence ending in BEL,
/// a clear-screen CSI, a C1 CSI (U+009B) and DEL.
public enum HostileText {
    /// Sets the terminal's window title to "pwned".
    public static let prefix = "\u{1b}]0;pwned\u{07}"
    /// Clears the screen (ESC [ 2 J), starts red text through the one-character C1 CSI, then DEL.
    public static let suffix = "\u{1b}[2J\u{9b}31m\u{7f}"

    /// `text` wrapped in the escape sequences.
    public static func decorate(_ text: String) -> String { prefix + text + suffix }

    /// `handler` with its reason phrases, a status header and its error bodies made hostile.
    public static func wrap(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) -> @Sendable (HTTPRequest) -> HTTPResponse {
        { request in
            var response = handler(request)
            response.reason = decorate(HTTPResponse.reasonPhrase(response.status))
            response.headers.set("X-Device-Status", decorate("fine"))
            if response.status >= 400, !response.chunked, let body = try? JSONParser.parse(response.body),
               case let .object(members) = body {
                let hostile = members.map { member -> JSONMember in
                    guard member.key == "error", case let .string(text) = member.value else { return member }
                    return JSONMember("error", .string(decorate(text)))
                }
                response.body = Array(JSONWriter.compact(.object(hostile)).utf8)
            }
            return response
        }
    }
}
