import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

// Everything onionctl writes for people goes through these, so text from a device or relay
// (names, status lines, error bodies, reason phrases, relay nicknames) never reaches the terminal
// raw: control characters are shown as \xHH (TerminalSafeText; docs/reliability.md).

/// Prints one line of human output on stdout, control characters escaped.
func say(_ line: String) {
    StandardStreams.out(TerminalSafeText.escape(line) + "\n")
}

/// Writes `text` (a message of ours with device text inside) on stderr, control characters escaped.
func sayOnStandardError(_ text: String) {
    StandardStreams.err(TerminalSafeText.escape(text) + "\n")
}

/// Multi-line device output (a response body): line breaks and tabs kept, other controls and
/// invalid UTF-8 escaped.
func safeMultiline(_ bytes: [UInt8]) -> String {
    TerminalSafeText.escape(bytes: bytes, keepingLineBreaks: true)
}

/// JSON text for `--json`, exact and still safe on a terminal: JSONEncoder already writes C0
/// controls as `\u00XX`; DEL and C1 controls (valid unescaped in JSON, but acted on by some
/// terminals) are written as `\u007f` and `\u0080`–`\u009f` too. Outside strings JSON has only
/// printable ASCII, so only string contents change, and they parse back to the same text.
func terminalSafeJSON(_ data: Data) -> Data {
    var out = Data()
    out.reserveCapacity(data.count)
    var bytes = data.makeIterator()
    var pending: UInt8?
    while let byte = pending ?? bytes.next() {
        pending = nil
        if byte == 0x7F {
            out.append(contentsOf: Array("\\u007f".utf8))
        } else if byte == 0xC2, let next = bytes.next() {
            if (0x80...0x9F).contains(next) {
                out.append(contentsOf: Array(("\\u" + next.hex(width: 4, uppercase: false)).utf8))
            } else {
                out.append(byte)
                pending = next
            }
        } else {
            out.append(byte)
        }
    }
    return out
}
