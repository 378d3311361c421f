import FoundationEssentials

extension Theme {
    /// The compiled-in default (dark) theme.
    public static let standard: Theme = {
        // The source is checked by ThemeTests; a failure here is a build mistake, not user input.
        guard let theme = try? Theme(parsing: builtinSources["default"]!) else {
            preconditionFailure("the built-in default theme does not parse")
        }
        return theme
    }()

    /// Names of the themes that are always available.
    public static var builtinNames: [String] { builtinSources.keys.sorted() }

    /// Finds and loads a theme.
    ///
    /// `nameOrPath` containing `/` or ending in `.toml` is a file; otherwise it is a name looked up
    /// in `$ONIONCTL_THEMES_DIR`, `$XDG_CONFIG_HOME/onionctl/themes` (or `~/.config/…`), then the
    /// built-in themes. Roles missing from a file are taken from the default theme.
    public static func load(_ nameOrPath: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ThemeError) -> Theme {
        var candidates: [String] = []
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            candidates = [nameOrPath]
        } else {
            if let dir = environment["ONIONCTL_THEMES_DIR"], !dir.isEmpty { candidates.append("\(dir)/\(nameOrPath).toml") }
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? environment["HOME"].map { "\($0)/.config" }
            if let config { candidates.append("\(config)/onionctl/themes/\(nameOrPath).toml") }
        }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ThemeError("cannot read \(path)")
            }
            do {
                return try Theme(parsing: text).filled(from: standard)
            } catch {
                throw ThemeError("\(path): \(error.description)")
            }
        }
        if let source = builtinSources[nameOrPath] {
            return try Theme(parsing: source).filled(from: standard)
        }
        throw ThemeError("no theme called “\(nameOrPath)”; built in: \(builtinNames.joined(separator: ", ")), "
                         + "or give the path of a .toml file")
    }
}
