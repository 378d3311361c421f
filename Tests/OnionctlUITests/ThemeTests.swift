import XCTest
@testable import OnionctlUI

final class ThemeTests: XCTestCase {
    static let themesDirectory = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    func themeFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: Self.themesDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "toml" }.sorted { $0.path < $1.path }
    }

    func testEveryThemeFileDefinesEveryRole() throws {
        let files = try themeFiles()
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let theme = try Theme(parsing: String(contentsOf: file, encoding: .utf8))
            XCTAssertEqual(theme.missingRoles, [], file.lastPathComponent)
            XCTAssertEqual(theme.unknownKeys, [], file.lastPathComponent)
            XCTAssertEqual(theme.name, file.deletingPathExtension().lastPathComponent)
            for level in ColorLevel.allCases { _ = Palette(theme: theme, level: level) }
        }
    }

    func testCompiledInThemesEqualTheFiles() throws {
        let names = try themeFiles().map { $0.deletingPathExtension().lastPathComponent }
        XCTAssertEqual(Set(names), Set(Theme.builtinNames))
        for file in try themeFiles() {
            let name = file.deletingPathExtension().lastPathComponent
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertEqual(Theme.builtinSources[name], String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)),
                           "\(name): copy themes/\(name).toml into Theme+Builtin.swift")
        }
    }

    func testColourLevelFallback() {
        XCTAssertEqual(ColorLevel.choose(colors: 256, noColor: nil), .full)
        XCTAssertEqual(ColorLevel.choose(colors: 88, noColor: nil), .sixteen)
        XCTAssertEqual(ColorLevel.choose(colors: 16, noColor: nil), .sixteen)
        XCTAssertEqual(ColorLevel.choose(colors: 8, noColor: nil), .eight)   // Debian's xterm/screen/tmux
        XCTAssertEqual(ColorLevel.choose(colors: 0, noColor: nil), .monochrome)  // vt100
        XCTAssertEqual(ColorLevel.choose(colors: 256, noColor: "1"), .monochrome)
        XCTAssertEqual(ColorLevel.choose(colors: 256, noColor: ""), .full)  // empty NO_COLOR is ignored
        XCTAssertEqual(ColorLevel.choose(colors: 256, noColor: "1", choice: .always), .full)
        XCTAssertEqual(ColorLevel.choose(colors: 256, noColor: nil, choice: .never), .monochrome)
    }

    func testNoColorKeepsBoldAndReverse() throws {
        let palette = Palette(theme: Theme.standard, level: ColorLevel.choose(colors: 256, noColor: "1"))
        XCTAssertEqual(palette.level, .monochrome)
        for role in Role.allCases {
            XCTAssertEqual(palette[role].foreground, -1)
            XCTAssertEqual(palette[role].background, -1)
        }
        XCTAssertTrue(palette[.selection].attributes.contains(.reverse))
        XCTAssertTrue(palette[.error].attributes.contains(.bold))
        XCTAssertTrue(palette[.pending].attributes.contains(.underline))
    }

    func testSelectionStaysVisibleWithEightColours() {
        let palette = Palette(theme: Theme.standard, level: .eight)
        XCTAssertTrue(palette[.selection].attributes.contains(.reverse))
        XCTAssertNotEqual(palette[.error].foreground, -1)
    }

    func testPaletteMapping() {
        let teal = ThemeColor.rgb(0x88, 0xc0, 0xd0)
        XCTAssertEqual(Palette.map(teal, to: .full), 110)
        XCTAssertTrue((0..<16).contains(Palette.map(teal, to: .sixteen)))
        XCTAssertTrue((0..<8).contains(Palette.map(teal, to: .eight)))
        XCTAssertEqual(Palette.map(.indexed(11), to: .eight), 3)  // bright-yellow → yellow
        XCTAssertEqual(Palette.map(.terminalDefault, to: .eight), -1)
        XCTAssertEqual(Palette.map(.rgb(0x80, 0x80, 0x80), to: .full), 244)  // greys use the grey ramp
    }

    func testParserReportsErrorsWithLineNumbers() {
        XCTAssertThrowsError(try Theme(parsing: "[roles]\ntext = \"#12345 on black\"\n")) { error in
            XCTAssertEqual((error as? ThemeError)?.line, 2)
        }
        XCTAssertThrowsError(try Theme(parsing: "[roles]\ntext = \"bold, blink\"\n"))
        XCTAssertThrowsError(try Theme(parsing: "[colours]\n"))
        let partial = try? Theme(parsing: "[roles]\nselection = \"reverse\"\ntypo_role = \"bold\"\n")
        XCTAssertEqual(partial?.unknownKeys, ["typo_role"])
        XCTAssertEqual(partial?.filled(from: Theme.standard).missingRoles, [])
    }

    func testLoadingByNameAndPath() throws {
        XCTAssertEqual(try Theme.load("light", environment: [:]).name, "light")
        let path = Self.themesDirectory.appendingPathComponent("high-contrast.toml").path
        XCTAssertEqual(try Theme.load(path, environment: [:]).name, "high-contrast")
        XCTAssertThrowsError(try Theme.load("nope", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("built in"))
        }
    }

    func testGlyphChoice() {
        XCTAssertEqual(Glyphs.choose(codeset: "UTF-8", term: "xterm-256color"), .unicode)
        XCTAssertEqual(Glyphs.choose(codeset: "ANSI_X3.4-1968", term: "xterm-256color"), .ascii)  // LANG=C
        XCTAssertEqual(Glyphs.choose(codeset: "UTF-8", term: "vt100"), .ascii)
        XCTAssertEqual(Glyphs.choose(codeset: "UTF-8", term: "screen-256color", forceASCII: true), .ascii)
    }
}
