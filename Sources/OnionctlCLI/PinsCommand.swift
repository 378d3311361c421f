import ArgumentParser
import Devices
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `onionctl pins NAME`: a code-me-not device's links.
struct PinsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pins", abstract: "List a code-me-not device's links (GET /links; each poll costs the device heap, so don't loop it tightly).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The pins device.")
    var name: String

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            guard entry.kind == .pins else { throw DeviceError.wrongKind(device: name, kind: entry.kind, expected: .pins) }
            let links = try await withService(context, [entry], global: global, connection: connection) { service in
                try await service.pins(name)
            }
            if global.json { try printJSON(links) } else { Self.printLinks(links) }
        }
    }

    static func printLinks(_ links: [PinLink]) {
        if links.isEmpty { say("no links"); return }
        say("INDEX  NAME                      TYPE       GPIO  STATE")
        for link in links {
            var line = String(link.index).paddedOrCut(to: 5) + "  "
            line += link.name.paddedOrCut(to: 24) + "  "
            line += link.typeName.paddedOrCut(to: 9) + "  "
            if let pin = link.pin {
                line += String(pin.num).paddedOrCut(to: 4) + "  " + (pin.on ? "on" : "off")
            } else {
                line += "-     -"
            }
            say(line)
        }
    }
}

/// `onionctl toggle NAME INDEX`: flip a simple pin.
struct ToggleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toggle", abstract: "Flip (or set with --on/--off) a code-me-not simple pin link.",
        discussion: "Reads /links, validates the new link fully (the device crashes on malformed input), and POSTs it with a boolean state.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The pins device.")
    var name: String

    @Argument(help: "The link index (see onionctl pins NAME).")
    var index: Int

    @Flag(name: .long, help: "Switch on instead of flipping.")
    var on = false

    @Flag(name: .long, help: "Switch off instead of flipping.")
    var off = false

    func validate() throws {
        if on && off { throw ValidationError("--on and --off exclude each other") }
    }

    func run() async throws {
        try await reporting(json: global.json) {
            let context = try DeviceContext.open()
            let entry = try context.require(name)
            guard entry.kind == .pins else { throw DeviceError.wrongKind(device: name, kind: entry.kind, expected: .pins) }
            let wanted: Bool? = on ? true : (off ? false : nil)
            let link = try await withService(context, [entry], global: global, connection: connection) { service in
                try await service.toggle(name, index: index, on: wanted)
            }
            if global.json { try printJSON(link); return }
            say("\(name): link \(link.index) (\(link.name), GPIO \(link.pin?.num ?? -1)) is now \(link.pin?.on == true ? "on" : "off")")
        }
    }
}
