import FoundationEssentials

/// Draws a ``DashboardState`` into a ``ScreenGrid`` of any size. Pure: the same state, size,
/// glyphs and time zone always give the same grid.
public struct DashboardRenderer: Sendable {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public var glyphs: Glyphs
    public var keyMap: KeyMap
    /// For clock times in the log.
    public var timeZone: ClockZone

    public init(glyphs: Glyphs = .unicode, keyMap: KeyMap = .standard, timeZone: ClockZone = .local) {
        self.glyphs = glyphs
        self.keyMap = keyMap
        self.timeZone = timeZone
    }

    public func render(_ state: DashboardState, width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            drawTooSmall(&grid)
            return grid
        }
        drawHeader(state, &grid)
        let body = (top: 1, bottom: height - 2)  // inclusive rows available to the screen
        switch state.screen {
        case .devices: drawDeviceList(state, &grid, body)
        case let .detail(name):
            if let device = state.snapshot.device(named: name) {
                drawDetail(state, device, &grid, body)
            } else {
                drawDeviceList(state, &grid, body)
            }
        case .tor: drawTor(state, &grid, body)
        case .log: drawLog(state, &grid, body)
        }
        drawStatusLine(state, &grid)
        if let dialog = state.dialog {
            switch dialog {
            case let .addDevice(form): drawAddDialog(form, &grid)
            case let .confirmRemove(name, onion, focus): drawConfirm(name: name, onion: onion, focus: focus, &grid)
            }
        }
        if state.showHelp { drawHelp(&grid) }
        if glyphs.isASCII { grid.asciify() }
        return grid
    }

    // MARK: Frame

    private func drawTooSmall(_ grid: inout ScreenGrid) {
        let lines = ["Terminal too small: \(grid.width)×\(grid.height)".replacing("×", with: glyphs.isASCII ? "x" : "×"),
                     "onionctl needs at least \(Self.minimumWidth)x\(Self.minimumHeight).",
                     "Enlarge the window, or press q to quit."]
        let top = max(0, grid.height / 2 - 1)
        for (i, line) in lines.enumerated() {
            let x = max(0, (grid.width - ScreenGrid.displayWidth(line)) / 2)
            grid.put(line, x: x, y: top + i, role: i == 0 ? .warning : .text)
        }
    }

    private func drawHeader(_ state: DashboardState, _ grid: inout ScreenGrid) {
        grid.fill(x: 0, y: 0, width: grid.width, height: 1, role: .header)
        var x = grid.put(" onionctl ", x: 0, y: 0, role: .header)
        let tabs: [(String, DashboardScreen)] = [("1 Devices", .devices), ("2 Tor", .tor), ("3 Log", .log)]
        for (label, screen) in tabs {
            x += 1
            x += grid.put(" \(label) ", x: x, y: 0, role: state.screen.tab == screen ? .tab_active : .tab)
        }
        let tor = state.snapshot.tor
        let summary: String
        let role: Role
        if let problem = tor.problem {
            summary = "Tor: \(problem.message)"
            role = .error
        } else if tor.bootstrapped {
            var s = "Tor ready"
            if let after = tor.consensusValidAfter { s += " \(glyphs.separator) consensus \(age(state.now.timeIntervalSince(after)))" }
            s += " \(glyphs.separator) \(tor.circuits.count) circuits "
            summary = s
            role = .header
        } else {
            summary = "Tor bootstrapping\(glyphs.ellipsis) "
            role = .warning
        }
        let w = ScreenGrid.displayWidth(summary)
        if grid.width - w > x + 1 { grid.put(summary, x: grid.width - w, y: 0, role: role) }
    }

    private func drawStatusLine(_ state: DashboardState, _ grid: inout ScreenGrid) {
        let y = grid.height - 1
        if let prompt = state.prompt {
            grid.fill(x: 0, y: y, width: grid.width, height: 1, role: .command_line)
            let (sigil, text, help): (String, String, String) = {
                switch prompt {
                case let .filter(t): return ("/", t, "Enter keep  Esc clear")
                case let .command(t): return (":", t, "Enter run  Esc cancel  (list, status, get NAME, set NAME …, help)")
                }
            }()
            let used = grid.put(sigil + text, x: 0, y: y, role: .command_line, maxWidth: grid.width - 1)
            grid.put(" ", x: used, y: y, role: .selection)
            let hw = ScreenGrid.displayWidth(help)
            if used + hw + 4 < grid.width { grid.put(help, x: grid.width - hw - 1, y: y, role: .command_line) }
            return
        }
        grid.fill(x: 0, y: y, width: grid.width, height: 1, role: .status)
        if let flash = state.flash {
            grid.put(" " + flash.text, x: 0, y: y, role: flash.isError ? .error : .flash)
            return
        }
        // Context keys from the left; "? help" and "q quit" always fit, at the right.
        let all = hints(state)
        let fixed = all.suffix(2)
        let fixedWidth = fixed.reduce(0) { $0 + ScreenGrid.displayWidth($1.0) + ScreenGrid.displayWidth($1.1) + 3 }
        var x = 1
        for (label, hint) in all.dropLast(2) {
            let need = ScreenGrid.displayWidth(label) + ScreenGrid.displayWidth(hint) + 3
            if x + need > grid.width - fixedWidth { break }
            x += grid.put(label, x: x, y: y, role: .key_hint)
            x += grid.put(" \(hint)  ", x: x, y: y, role: .status)
        }
        x = grid.width - fixedWidth + 1
        for (label, hint) in fixed {
            x += grid.put(label, x: x, y: y, role: .key_hint)
            x += grid.put(" \(hint)  ", x: x, y: y, role: .status)
        }
    }

    /// The hint line: the current screen's bindings, from the key map.
    func hints(_ state: DashboardState) -> [(String, String)] {
        let scopes = DashboardReducer(keyMap: keyMap).scopes(state)
        var commands: [Command] = []
        if state.dialog != nil || state.showHelp { return [] }
        switch state.screen {
        case .devices:
            commands = [.moveDown, .open]
            if scopes.contains(.thermostat) { commands += [.setpointUp, .cycleMode] }
            commands += [.refresh, .add, .delete, .filter]
        case .detail:
            if scopes.contains(.thermostat) { commands = [.setpointUp, .setpointDown, .cycleMode] }
            if scopes.contains(.pins) { commands = [.moveDown, .togglePin] }
            commands += [.refresh, .back, .delete]
        case .tor, .log:
            commands = [.nextScreen, .showDevices]
        }
        commands += [.commandLine, .help, .quit]
        return commands.compactMap { command in
            guard let b = keyMap.binding(for: command) else { return nil }
            let label: String
            switch command {
            case .moveDown: label = glyphs.isASCII ? "j/k" : "↑↓"
            case .setpointUp: label = scopes.contains(.devices) ? "+/-" : "+"
            default: label = glyphs.isASCII ? b.keys[0].asciiLabel : b.keys[0].label
            }
            return (label, Self.hintText[command] ?? b.description)
        }
    }

    static let hintText: [Command: String] = [
        .moveDown: "move", .open: "open", .setpointUp: "setpoint", .setpointDown: "lower", .cycleMode: "mode",
        .togglePin: "toggle", .refresh: "refresh", .add: "add", .delete: "remove", .filter: "filter",
        .back: "back", .nextScreen: "next", .showDevices: "devices", .commandLine: "command", .help: "help",
        .quit: "quit",
    ]

    // MARK: Device list

    private struct Columns {
        var name, kind, connection, reading, updated: (x: Int, w: Int)
    }

    private func columns(width: Int) -> Columns {
        let nameW = width >= 120 ? 20 : 14
        let connW = width >= 120 ? 26 : 21
        let updW = 8
        let name = (x: 2, w: nameW)
        let kind = (x: name.x + nameW + 1, w: 10)
        let conn = (x: kind.x + 11, w: connW)
        let reading = (x: conn.x + connW + 1, w: width - (conn.x + connW + 1) - updW - 2)
        return Columns(name: name, kind: kind, connection: conn, reading: reading, updated: (x: width - updW - 1, w: updW))
    }

    private func drawDeviceList(_ state: DashboardState, _ grid: inout ScreenGrid, _ body: (top: Int, bottom: Int)) {
        let c = columns(width: grid.width)
        var y = body.top
        grid.put("NAME", x: c.name.x, y: y, role: .column_header)
        grid.put("KIND", x: c.kind.x, y: y, role: .column_header)
        grid.put("CONNECTION", x: c.connection.x, y: y, role: .column_header)
        grid.put("READING", x: c.reading.x, y: y, role: .column_header)
        grid.put(pad("UPDATED", c.updated.w, right: true), x: c.updated.x, y: y, role: .column_header)
        y += 1
        let devices = state.visibleDevices
        let panelHeight = 7
        // A proxy started with the dashboard takes the row (two if its problem needs them) just above the panel.
        let proxyLine = state.snapshot.proxy.map { proxyText($0) }
        let proxyLines = proxyLine.map { Array(wrapText($0.0, width: grid.width - 4).prefix(2)) } ?? []
        let listBottom = body.bottom - panelHeight - proxyLines.count
        if let problem = state.snapshot.addressBookProblem {
            // The whole reason, wrapped: which file, which line, what is wrong, and that it is kept.
            y += 1
            for line in wrapText(problem.message, width: grid.width - 4) where y < listBottom {
                grid.put(line, x: 2, y: y, role: .error)
                y += 1
            }
            y += 1
            for line in wrapText(problem.advice, width: grid.width - 4) where y < listBottom {
                grid.put(line, x: 2, y: y, role: .text)
                y += 1
            }
        } else if devices.isEmpty {
            let message = state.snapshot.devices.isEmpty
                ? "No devices yet. Press a to add one (you need its onion address)."
                : "No device matches “\(state.filter)”. Press / to change the filter, Esc to clear it."
            grid.put(message, x: 2, y: y + 1, role: .muted)
        }
        let selected = state.selectedIndex ?? 0
        let capacity = max(1, listBottom - y + 1)
        let first = max(0, min(selected - capacity + 1, devices.count - capacity))
        for (i, device) in devices.enumerated().dropFirst(first).prefix(capacity) {
            let isSelected = i == selected
            if isSelected {
                grid.fill(x: 0, y: y, width: grid.width, height: 1, role: .selection)
                grid.put(glyphs.selected, x: 0, y: y, role: .selection)
            }
            func role(_ r: Role) -> Role { isSelected ? .selection : r }
            grid.put(device.name, x: c.name.x, y: y, role: role(.text), maxWidth: c.name.w)
            grid.put(device.kind.rawValue, x: c.kind.x, y: y, role: role(.muted), maxWidth: c.kind.w)
            let (conn, connRole) = connectionText(device, now: state.now)
            grid.put(conn, x: c.connection.x, y: y, role: role(connRole), maxWidth: c.connection.w)
            drawReading(state, device, &grid, x: c.reading.x, y: y, width: c.reading.w, selected: isSelected)
            let updated = device.lastUpdate.map { age(state.now.timeIntervalSince($0)) + " ago" } ?? glyphs.dash
            grid.put(pad(updated, c.updated.w, right: true), x: c.updated.x, y: y, role: role(.muted))
            y += 1
        }
        if devices.count > capacity {
            grid.put("\(devices.count) devices, \(first + 1)–\(min(devices.count, first + capacity)) shown",
                     x: 2, y: listBottom + 1, role: .muted)
        }
        if !state.filter.isEmpty {
            let f = "filter: \(state.filter) (\(devices.count) of \(state.snapshot.devices.count))"
            grid.put(f, x: grid.width - ScreenGrid.displayWidth(f) - 1, y: listBottom + 1, role: .pending)
        }
        for (i, line) in proxyLines.enumerated() {
            grid.put(line, x: 2, y: listBottom + 2 + i, role: proxyLine?.1 ?? .text, maxWidth: grid.width - 4)
        }
        if let device = state.currentDevice {
            drawSummaryPanel(state, device, &grid, top: body.bottom - panelHeight + 2, bottom: body.bottom)
        }
    }

    private func drawReading(_ state: DashboardState, _ device: DeviceSnapshot, _ grid: inout ScreenGrid,
                             x: Int, y: Int, width: Int, selected: Bool) {
        func role(_ r: Role) -> Role { selected ? .selection : r }
        let pending = state.pending(for: device)
        var col = x
        let end = x + width
        func put(_ s: String, _ r: Role) { col += grid.put(s, x: col, y: y, role: role(r), maxWidth: max(0, end - col)) }
        switch device.kind {
        case .thermostat:
            guard let t = device.thermostat else { put(glyphs.dash, .muted); return }
            put("\(format(t.temperature))\(glyphs.degrees)", .temperature)
            put(" \(glyphs.arrow) ", .muted)
            if let p = pending.setpoint { put(format(p) + "*", .pending) } else { put(format(t.setpoint), .setpoint) }
            put(" ", .text)
            let mode = pending.mode ?? t.mode
            put(mode.rawValue, pending.mode != nil ? .pending : (mode == .off ? .mode_off : .text))
            if t.state == .heating { put(" " + glyphs.heating, .heating) }
            if t.state == .cooling { put(" " + glyphs.cooling, .cooling) }
        case .pins:
            guard let links = device.pins else { put(glyphs.dash, .muted); return }
            let simple = links.filter(\.isToggleable)
            for (n, link) in simple.enumerated() {
                let on = pending.pins[link.index] ?? link.isOn ?? false
                let piece = "\(link.name) \(on ? "ON" : "off")"
                let remaining = end - col
                let more = simple.count - n - 1
                if ScreenGrid.displayWidth(piece) + (more > 0 ? 8 : 0) > remaining {
                    put("+\(simple.count - n) more", .muted)
                    break
                }
                put(link.name + " ", .text)
                put(on ? "ON" : "off", pending.pins[link.index] != nil ? .pending : (on ? .pin_on : .pin_off))
                if more > 0 { put(" \(glyphs.separator) ", .muted) }
            }
            if simple.isEmpty { put("\(links.count) links", .muted) }
        case .http:
            put("HTTP device", .muted)
        }
    }

    /// The proxy in one line: where it listens and the streams it carries, or why it is not running.
    func proxyText(_ proxy: ProxyStatus) -> (String, Role) {
        guard let problem = proxy.problem else {
            let open = proxy.openStreams == 1 ? "1 stream open" : "\(proxy.openStreams) streams open"
            return ("SOCKS proxy on \(proxy.listen) \(glyphs.separator) \(open) \(glyphs.separator) \(proxy.totalStreams) in all",
                    proxy.openStreams > 0 ? .ok : .text)
        }
        return ("SOCKS proxy on \(proxy.listen) not running: \(problem)", .error)
    }

    private func drawSummaryPanel(_ state: DashboardState, _ device: DeviceSnapshot, _ grid: inout ScreenGrid,
                                  top: Int, bottom: Int) {
        grid.box(x: 0, y: top, width: grid.width, height: bottom - top + 1, glyphs: glyphs, role: .border,
                 title: device.name, titleRole: .title)
        let inner = grid.width - 4
        var y = top + 1
        grid.put(device.onion, x: 2, y: y, role: .muted, maxWidth: inner)
        y += 1
        drawPhases(device.connection, now: state.now, &grid, x: 2, y: y, width: inner)
        y += 1
        let pending = state.pending(for: device)
        if !pending.isEmpty {
            grid.put("Sent, waiting for the device to confirm: " + describe(pending, device), x: 2, y: y, role: .pending, maxWidth: inner)
            y += 1
        }
        if let problem = device.problem {
            grid.put(problem.message, x: 2, y: y, role: .error, maxWidth: inner)
            if y + 1 < bottom { grid.put(problem.advice, x: 2, y: y + 1, role: .text, maxWidth: inner) }
        }
    }

    private func describe(_ p: PendingChanges, _ device: DeviceSnapshot) -> String {
        var parts: [String] = []
        if let s = p.setpoint { parts.append("setpoint \(format(s)) \(glyphs.degrees)") }
        if let m = p.mode { parts.append("mode \(m.rawValue)") }
        for (index, on) in p.pins.sorted(by: { $0.key < $1.key }) {
            let name = device.pins?.first { $0.index == index }?.name ?? "link \(index)"
            parts.append("\(name) \(on ? "on" : "off")")
        }
        return parts.joined(separator: ", ")
    }

    private func connectionText(_ device: DeviceSnapshot, now: Date) -> (String, Role) {
        let c = device.connection
        switch c.state {
        case .idle: return ("\(glyphs.idle) not connected", .offline)
        case let .connecting(phase):
            return ("\(glyphs.connecting) \(phase.rawValue) \(seconds(c.seconds(at: now)))", .progress)
        case .connected: return ("\(glyphs.connected) connected", .ok)
        case let .failed(phase):
            // The same word as onionctl status, when the backend knows it.
            if let outcome = device.problem?.outcome { return ("\(glyphs.failed) \(outcome)", .error) }
            let at = phase.map { $0 == .introduction ? "intro" : $0.rawValue }
            return ("\(glyphs.failed) failed" + (at.map { " at \($0)" } ?? ""), .error)
        }
    }

    /// directory › descriptor › introduction › rendezvous › connected, each marked by progress.
    private func drawPhases(_ c: DeviceConnection, now: Date, _ grid: inout ScreenGrid, x: Int, y: Int, width: Int) {
        let phases = ConnectionPhaseList.all
        let reached: Int
        var failedAt: Int?
        switch c.state {
        case .idle: reached = -1
        case let .connecting(p): reached = phases.firstIndex(of: p.rawValue) ?? 0
        case .connected: reached = phases.count
        case let .failed(p):
            reached = p.flatMap { phases.firstIndex(of: $0.rawValue) } ?? 0
            failedAt = reached
        }
        var col = x
        let end = x + width
        for (i, name) in phases.enumerated() {
            let role: Role
            var text = name
            if i == failedAt { role = .error; text = "\(glyphs.failed)\(name)" } else if i < reached || (i == phases.count - 1 && reached == phases.count) {
                role = .progress_done
                text = "\(glyphs.done)\(name)"
            } else if i == reached { role = .progress } else { role = .muted }
            col += grid.put(text, x: col, y: y, role: role, maxWidth: max(0, end - col))
            if i < phases.count - 1 { col += grid.put(" \(glyphs.chevron) ", x: col, y: y, role: .muted, maxWidth: max(0, end - col)) }
        }
        if let elapsed = c.seconds(at: now) {
            col += grid.put("  \(seconds(elapsed))", x: col, y: y, role: .muted, maxWidth: max(0, end - col))
        }
        // While connecting, what the client is doing in this phase ("solving a proof of work, effort 8…").
        if case .connecting = c.state, !c.detail.isEmpty {
            grid.put("  \(c.detail)", x: col, y: y, role: .progress, maxWidth: max(0, end - col))
        }
    }

    // MARK: Detail

    private func drawDetail(_ state: DashboardState, _ device: DeviceSnapshot, _ grid: inout ScreenGrid,
                            _ body: (top: Int, bottom: Int)) {
        var title = "\(device.name) \(glyphs.separator) \(device.kind.rawValue) \(glyphs.separator) \(device.onion)"
        if ScreenGrid.displayWidth(title) > grid.width - 6, device.onion.count > 20 {
            let short = device.onion.prefix(10) + glyphs.ellipsis + device.onion.suffix(12)
            title = "\(device.name) \(glyphs.separator) \(device.kind.rawValue) \(glyphs.separator) \(short)"
        }
        grid.box(x: 0, y: body.top, width: grid.width, height: body.bottom - body.top + 1, glyphs: glyphs,
                 role: .border, title: title, titleRole: .title)
        let inner = (x: 2, w: grid.width - 4, top: body.top + 1, bottom: body.bottom - 1)
        var y = inner.top
        drawPhases(device.connection, now: state.now, &grid, x: inner.x, y: y, width: inner.w)
        y += 1
        if let problem = device.problem {
            // The whole reason and advice, wrapped, in up to half the box (the reading keeps the rest).
            let lines = wrapText(problem.message, width: inner.w).map { ($0, Role.error) }
                + wrapText(problem.advice, width: inner.w).map { ($0, Role.text) }
            for (line, role) in lines.prefix(max(2, (inner.bottom - y) / 2)) {
                grid.put(line, x: inner.x, y: y, role: role, maxWidth: inner.w)
                y += 1
            }
        } else {
            y += 1
        }
        switch device.kind {
        case .thermostat: drawThermostat(state, device, &grid, x: inner.x, y: y, width: inner.w, bottom: inner.bottom)
        case .pins: drawPins(state, device, &grid, x: inner.x, y: y, width: inner.w, bottom: inner.bottom)
        case .http: grid.put("A generic HTTP device: onionctl shows its connection only.", x: inner.x, y: y, role: .muted)
        }
    }

    private func drawThermostat(_ state: DashboardState, _ device: DeviceSnapshot, _ grid: inout ScreenGrid,
                                x: Int, y: Int, width: Int, bottom: Int) {
        guard let t = device.thermostat else {
            grid.put("Not read yet\(glyphs.ellipsis) the reading appears once the device is connected.", x: x, y: y + 1, role: .muted)
            return
        }
        let pending = state.pending(for: device)
        let big = format(t.temperature)
        BigDigits.draw(big, into: &grid, x: x + 1, y: y, ink: glyphs.bigInk, role: .temperature)
        let bigW = BigDigits.width(big)
        grid.put(glyphs.degrees, x: x + 2 + bigW, y: y, role: .temperature)
        let lx = x + bigW + 8
        let vx = lx + 10
        func row(_ i: Int, _ label: String) { grid.put(label, x: lx, y: y + i, role: .muted) }
        row(0, "Setpoint")
        var col = vx + grid.put("\(format(t.setpoint)) \(glyphs.degrees)", x: vx, y: y, role: .setpoint)
        if let p = pending.setpoint {
            col += grid.put(" \(glyphs.arrow) ", x: col, y: y, role: .muted)
            grid.put("\(format(p)) \(glyphs.degrees) pending", x: col, y: y, role: .pending)
        }
        row(1, "Mode")
        col = vx + grid.put(t.mode.rawValue, x: vx, y: y + 1, role: t.mode == .off ? .mode_off : .text)
        if let m = pending.mode {
            col += grid.put(" \(glyphs.arrow) ", x: col, y: y + 1, role: .muted)
            grid.put("\(m.rawValue) pending", x: col, y: y + 1, role: .pending)
        }
        row(2, "State")
        let stateRole: Role = t.state == .heating ? .heating : t.state == .cooling ? .cooling : .muted
        let mark = t.state == .heating ? " \(glyphs.heating)" : t.state == .cooling ? " \(glyphs.cooling)" : ""
        grid.put(t.state.rawValue + mark, x: vx, y: y + 2, role: stateRole)
        row(3, "Humidity")
        grid.put(t.humidity.map { $0.fixed(1) + " %" } ?? glyphs.dash, x: vx, y: y + 3, role: .text)
        row(4, "Updated")
        grid.put(device.lastUpdate.map { age(state.now.timeIntervalSince($0)) + " ago" } ?? glyphs.dash,
                 x: vx, y: y + 4, role: .text)
        row(5, "Limits")
        grid.put("\(format(t.minimum))\(glyphs.dash)\(format(t.maximum)) \(glyphs.degrees), step \(format(t.step))",
                 x: vx, y: y + 5, role: .muted, maxWidth: max(0, x + width - vx))
        let chartTop = y + BigDigits.height + 2
        if bottom - chartTop >= 3 {
            drawChart(t, &grid, x: x, y: chartTop, width: width, bottom: bottom)
        }
    }

    private func drawChart(_ t: ThermostatReading, _ grid: inout ScreenGrid, x: Int, y: Int, width: Int, bottom: Int) {
        let samples = t.history
        let span = samples.count > 1 ? samples.last!.time.timeIntervalSince(samples.first!.time) : 0
        grid.put("Temperature, last \(age(span))", x: x, y: y, role: .column_header)
        grid.put("\(glyphs.blocks[8]) temperature  \(glyphs.horizontal) setpoint", x: x + width - 28, y: y,
                 role: .muted)
        let top = y + 1
        let height = bottom - top  // rows of bars; the last row is the time axis
        guard height >= 2, !samples.isEmpty else {
            grid.put("No history yet.", x: x, y: top, role: .muted)
            return
        }
        let axisW = 7
        let plotW = width - axisW
        let values = samples.map(\.temperature) + samples.map(\.setpoint)
        var lo = (values.min()! * 2).rounded(.down) / 2
        var hi = (values.max()! * 2).rounded(.up) / 2
        if hi - lo < 1 { lo -= 0.5; hi += 0.5 }
        grid.put(pad(format(hi), 5, right: true) + " " + String(glyphs.vertical), x: x, y: top, role: .chart_axis)
        grid.put(pad(format(lo), 5, right: true) + " " + String(glyphs.vertical), x: x, y: top + height - 1, role: .chart_axis)
        for r in 1..<(height - 1) { grid.put(String(glyphs.vertical), x: x + 6, y: top + r, role: .chart_axis) }
        // Resample: one column per plot cell, averaging the samples that fall into it.
        for col in 0..<plotW {
            let lower = col * samples.count / plotW
            let upper = max(lower + 1, (col + 1) * samples.count / plotW)
            let bucket = samples[lower..<min(upper, samples.count)]
            let temp = bucket.map(\.temperature).reduce(0, +) / Double(bucket.count)
            let setpoint = bucket.last!.setpoint
            let eighths = Int(((temp - lo) / (hi - lo) * Double(height * 8)).rounded())
            let setRow = height - 1 - min(height - 1, Int(((setpoint - lo) / (hi - lo) * Double(height)).rounded(.down)))
            for r in 0..<height {
                let fromBottom = height - 1 - r
                let level = max(0, min(8, eighths - fromBottom * 8))
                if level > 0 {
                    grid.put(String(glyphs.blocks[level]), x: x + axisW + col, y: top + r, role: .chart)
                } else if r == setRow {
                    grid.put(String(glyphs.horizontal), x: x + axisW + col, y: top + r, role: .setpoint)
                }
            }
        }
        let axisY = top + height
        if axisY <= bottom {
            grid.put("-\(age(span))", x: x + axisW, y: axisY, role: .chart_axis)
            grid.put("now", x: x + width - 3, y: axisY, role: .chart_axis)
        }
    }

    private func drawPins(_ state: DashboardState, _ device: DeviceSnapshot, _ grid: inout ScreenGrid,
                          x: Int, y: Int, width: Int, bottom: Int) {
        guard let links = device.pins else {
            grid.put("Not read yet\(glyphs.ellipsis) the links appear once the device is connected.", x: x, y: y + 1, role: .muted)
            return
        }
        let pending = state.pending(for: device)
        let cols = (index: x + 2, name: x + 6, type: x + 32, gpio: x + 44, state: x + 52)
        grid.put("#", x: cols.index, y: y, role: .column_header)
        grid.put("NAME", x: cols.name, y: y, role: .column_header)
        grid.put("TYPE", x: cols.type, y: y, role: .column_header)
        grid.put("GPIO", x: cols.gpio, y: y, role: .column_header)
        grid.put("STATE", x: cols.state, y: y, role: .column_header)
        var row = y + 1
        let selected = min(state.selectedPin, max(0, links.count - 1))
        for (i, link) in links.enumerated() where row <= bottom - 2 {
            let isSelected = i == selected
            if isSelected {
                grid.fill(x: x, y: row, width: width, height: 1, role: .selection)
                grid.put(glyphs.selected, x: x, y: row, role: .selection)
            }
            func role(_ r: Role) -> Role { isSelected ? .selection : r }
            grid.put("\(link.index)", x: cols.index, y: row, role: role(.text))
            grid.put(link.name, x: cols.name, y: row, role: role(.text), maxWidth: 25)
            grid.put(link.typeName, x: cols.type, y: row, role: role(.muted))
            grid.put(link.pin.map(String.init) ?? glyphs.dash, x: cols.gpio, y: row, role: role(.text))
            if let on = link.isOn {
                var col = cols.state + grid.put(on ? "[ ON ]" : "[ off]", x: cols.state, y: row, role: role(on ? .pin_on : .pin_off))
                if let want = pending.pins[link.index] {
                    col += grid.put(" \(glyphs.arrow) ", x: col, y: row, role: role(.muted))
                    grid.put("\(want ? "on" : "off") pending", x: col, y: row, role: role(.pending))
                }
            } else {
                grid.put("(not a switch)", x: cols.state, y: row, role: role(.muted))
            }
            row += 1
        }
        if let updated = device.lastUpdate {
            grid.put("Read \(age(state.now.timeIntervalSince(updated))) ago. Changes show as pending until the device confirms.",
                     x: x, y: bottom, role: .muted, maxWidth: width)
        }
    }

    // MARK: Tor and log

    private func drawTor(_ state: DashboardState, _ grid: inout ScreenGrid, _ body: (top: Int, bottom: Int)) {
        let tor = state.snapshot.tor
        var y = body.top + 1
        let lx = 2, vx = 14
        func line(_ label: String, _ value: String, _ role: Role = .text) {
            guard y <= body.bottom else { return }
            grid.put(label, x: lx, y: y, role: .column_header)
            grid.put(value, x: vx, y: y, role: role, maxWidth: grid.width - vx - 1)
            y += 1
        }
        if let problem = tor.problem {
            line("Tor", "\(problem.message) \(problem.advice)", .error)
        } else {
            line("Tor", tor.bootstrapped ? "ready \(glyphs.separator) \(tor.network) \(glyphs.separator) \(tor.relayCount) relays"
                                           : "bootstrapping\(glyphs.ellipsis)", tor.bootstrapped ? .ok : .progress)
        }
        if let after = tor.consensusValidAfter {
            var s = "valid since \(age(state.now.timeIntervalSince(after))) ago"
            if let until = tor.consensusValidUntil { s += ", expires in \(age(until.timeIntervalSince(state.now)))" }
            line("Consensus", s)
        } else {
            line("Consensus", "none yet", .muted)
        }
        y += 1
        line("Guards", tor.guards.isEmpty ? "none chosen yet" : tor.sampledGuards > 0 ? "primary, of \(tor.sampledGuards) sampled" : "",
             tor.guards.isEmpty ? .muted : .text)
        for g in tor.guards where y <= body.bottom {
            grid.put("\(g.usable ? glyphs.connected : glyphs.failed) \(g.nickname)", x: vx, y: y, role: g.usable ? .ok : .error)
            grid.put(g.address + (g.usable ? "" : "  unreachable") + (g.confirmed ? "  confirmed" : ""), x: vx + 22, y: y, role: .muted)
            y += 1
        }
        if !tor.vanguards.isEmpty {
            line("Vanguards", tor.vanguards.map { "\($0.nickname) (\(age(max($0.expires.timeIntervalSince(state.now), 0))) left)" }
                .joined(separator: ", "))
        }
        if !tor.circuitBuildTimeout.isEmpty { line("Timeout", "circuit build \(tor.circuitBuildTimeout)") }
        y += 1
        line("Circuits", "\(tor.circuits.count) open")
        for c in tor.circuits where y <= body.bottom {
            grid.put(c.id.hex(width: 8), x: vx, y: y, role: .muted)
            grid.put(c.purpose, x: vx + 10, y: y, role: .text, maxWidth: 25)
            grid.put(c.hops.joined(separator: " \(glyphs.chevron) "), x: vx + 36, y: y, role: .text,
                     maxWidth: grid.width - vx - 37)
            y += 1
        }
        y += 1
        if let proxy = state.snapshot.proxy {
            let (text, role) = proxyText(proxy)
            line("Proxy", String(text.dropFirst("SOCKS proxy ".count)), role)
            y += 1
        }
        line("Devices", "")
        for d in state.snapshot.devices where y <= body.bottom {
            let (text, role) = connectionText(d, now: state.now)
            grid.put(d.name, x: vx, y: y, role: .text, maxWidth: 20)
            grid.put(text, x: vx + 22, y: y, role: role, maxWidth: 26)
            grid.put(d.connection.detail, x: vx + 50, y: y, role: .muted, maxWidth: grid.width - vx - 51)
            y += 1
        }
    }

    private func drawLog(_ state: DashboardState, _ grid: inout ScreenGrid, _ body: (top: Int, bottom: Int)) {
        let f = state.filter.lowercased()
        let lines = state.snapshot.log.filter { f.isEmpty || $0.message.lowercased().contains(f) }
        let capacity = body.bottom - body.top + 1
        if lines.isEmpty { grid.put("Nothing logged yet.", x: 2, y: body.top + 1, role: .muted) }
        for (i, line) in lines.suffix(capacity).enumerated() {
            let y = body.top + i
            grid.put(timeZone.clockTime(line.time), x: 1, y: y, role: .muted)
            let role: Role = line.level == .error ? .error : line.level == .warning ? .warning : line.level == .debug ? .muted : .text
            grid.put(pad(line.level.rawValue, 7), x: 11, y: y, role: role)
            grid.put(line.message, x: 19, y: y, role: role, maxWidth: grid.width - 20)
        }
    }

    // MARK: Overlays

    private func dialogFrame(_ grid: inout ScreenGrid, width: Int, height: Int, title: String, titleRole: Role) -> (x: Int, y: Int) {
        let w = min(width, grid.width - 2)
        let x = (grid.width - w) / 2
        let y = max(1, (grid.height - height) / 2)
        // A blank column on each side, so the box's sides never run alongside a panel's (`┌│`, `│┐`).
        grid.fill(x: x - 1, y: y, width: 1, height: height, role: .text)
        grid.fill(x: x + w, y: y, width: 1, height: height, role: .text)
        grid.fill(x: x, y: y, width: w, height: height, role: .dialog)
        grid.box(x: x, y: y, width: w, height: height, glyphs: glyphs, role: .dialog_border, title: title, titleRole: titleRole)
        return (x, y)
    }

    private func button(_ label: String, focused: Bool, _ grid: inout ScreenGrid, x: Int, y: Int) -> Int {
        grid.put(focused ? "[\(label)]" : " \(label) ", x: x, y: y, role: focused ? .button_focus : .button)
    }

    private func drawAddDialog(_ form: AddDeviceForm, _ grid: inout ScreenGrid) {
        let w = 76, h = 13
        let (x0, y0) = dialogFrame(&grid, width: w, height: h, title: "Add a device", titleRole: .title)
        let lx = x0 + 2, fx = x0 + 10, fw = min(w, grid.width - 2) - 12
        func field(_ y: Int, _ label: String, _ value: String, focused: Bool, role: Role = .input) {
            grid.put(label, x: lx, y: y, role: focused ? .title : .dialog)
            grid.fill(x: fx, y: y, width: fw, height: 1, role: role)
            let used = grid.put(value, x: fx, y: y, role: role, maxWidth: fw - 1)
            if focused { grid.put(" ", x: fx + used, y: y, role: .selection) }
        }
        let nameProblem = form.nameProblem
        field(y0 + 2, "Name", form.name, focused: form.focus == .name, role: nameProblem == nil ? .input : .input_invalid)
        grid.put(nameProblem.map { "\(glyphs.failed) \($0)" } ?? "letters, digits, - and _; up to 64", x: fx, y: y0 + 3,
                 role: nameProblem == nil ? .muted : .input_invalid, maxWidth: fw)
        let check = form.onionCheck
        field(y0 + 4, "Onion", form.onion, focused: form.focus == .onion,
              role: { if case .invalid = check { return .input_invalid } else { return .input } }())
        let (verdict, verdictRole): (String, Role) = {
            switch check {
            case .empty: return ("56 characters, then .onion (paste it from the device)", .muted)
            case let .incomplete(n): return ("\(n) of 56 characters\(glyphs.ellipsis)", .muted)
            case let .invalid(why): return ("\(glyphs.failed) \(why)", .input_invalid)
            case .valid: return ("\(glyphs.done) valid v3 onion address", .input_valid)
            }
        }()
        grid.put(verdict, x: fx, y: y0 + 5, role: verdictRole, maxWidth: fw)
        grid.put("Kind", x: lx, y: y0 + 7, role: form.focus == .kind ? .title : .dialog)
        var kx = fx
        for kind in DeviceKind.allCases {
            let on = kind == form.kind
            kx += grid.put(on ? "(\(glyphs.connected)) \(kind.rawValue)" : "( ) \(kind.rawValue)", x: kx, y: y0 + 7,
                           role: on && form.focus == .kind ? .button_focus : on ? .title : .dialog) + 3
        }
        if let error = form.error { grid.put(error, x: lx, y: y0 + 9, role: .error, maxWidth: fw + 8) }
        var bx = x0 + w / 2 - 12
        bx += button("  Add  ", focused: form.focus == .add, &grid, x: bx, y: y0 + 10) + 4
        _ = button(" Cancel ", focused: form.focus == .cancel, &grid, x: bx, y: y0 + 10)
        grid.put("Tab next \(glyphs.separator) \(glyphs.isASCII ? "Left/Right" : "←→") kind \(glyphs.separator) Enter on Add adds \(glyphs.separator) Esc cancels",
                 x: lx, y: y0 + h - 1, role: .dialog_border, maxWidth: w - 4)
    }

    private func drawConfirm(name: String, onion: String, focus: ConfirmChoice, _ grid: inout ScreenGrid) {
        let w = 70, h = 11
        let (x0, y0) = dialogFrame(&grid, width: w, height: h, title: "Remove device", titleRole: .danger)
        let lx = x0 + 2
        grid.put("Remove “\(name)” from the address book?", x: lx, y: y0 + 2, role: .title, maxWidth: w - 4)
        grid.put(onion, x: lx, y: y0 + 3, role: .dialog, maxWidth: w - 4)
        grid.put("onionctl forgets its address and client-auth key. The device", x: lx, y: y0 + 5, role: .dialog, maxWidth: w - 4)
        grid.put("itself is not changed; you can add it again later.", x: lx, y: y0 + 6, role: .dialog, maxWidth: w - 4)
        var bx = x0 + w / 2 - 14
        bx += button(" Cancel ", focused: focus == .cancel, &grid, x: bx, y: y0 + 8) + 4
        let used = grid.put(focus == .confirm ? "[ Remove ]" : "  Remove  ", x: bx, y: y0 + 8,
                            role: focus == .confirm ? .danger : .button)
        _ = used
        grid.put("y remove \(glyphs.separator) n/Esc cancel \(glyphs.separator) Tab switch \(glyphs.separator) Enter choose",
                 x: lx, y: y0 + h - 1, role: .dialog_border, maxWidth: w - 4)
    }

    /// The help overlay, generated from the key map (every binding, grouped by scope).
    private func drawHelp(_ grid: inout ScreenGrid) {
        var entries: [(String, String, Role)] = []
        for scope in KeyScope.allCases {
            let bindings = keyMap.bindings.filter { $0.scopes.first == scope }
            guard !bindings.isEmpty else { continue }
            entries.append((scope.title, "", .column_header))
            for b in bindings {
                entries.append((b.label(ascii: glyphs.isASCII), b.description + (b.dangerous ? " !" : ""), .text))
            }
        }
        let w = min(grid.width - 2, 100)
        let columns = 2
        let perColumn = (entries.count + columns - 1) / columns
        let h = min(grid.height - 2, perColumn + 4)
        let (x0, y0) = dialogFrame(&grid, width: w, height: h, title: "Keys", titleRole: .title)
        let colW = (w - 4) / columns
        let keyW = 14
        for (i, entry) in entries.enumerated() {
            let col = i / perColumn, row = i % perColumn
            let x = x0 + 2 + col * colW, y = y0 + 2 + row
            if entry.2 == .column_header {
                grid.put(entry.0, x: x, y: y, role: .column_header, maxWidth: colW - 1)
            } else {
                grid.put(entry.0, x: x, y: y, role: .key_hint, maxWidth: keyW - 1)
                grid.put(entry.1, x: x + keyW, y: y, role: .dialog, maxWidth: colW - keyW - 1)
            }
        }
        grid.put("! asks for confirmation \(glyphs.separator) any key closes this help", x: x0 + 2, y: y0 + h - 1,
                 role: .dialog_border, maxWidth: w - 4)
    }

    // MARK: Formatting

    /// "3s", "42s", "12m", "3h", "2d".
    func age(_ interval: TimeInterval) -> String {
        let s = Int(max(0, interval).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    private func seconds(_ t: TimeInterval?) -> String {
        guard let t else { return "" }
        return t.fixed(1) + "s"
    }

    private func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        let n = max(0, w - ScreenGrid.displayWidth(s))
        return right ? String(repeating: " ", count: n) + s : s + String(repeating: " ", count: n)
    }
}

/// Phase names in order, as the progress line shows them.
enum ConnectionPhaseList {
    static let all = ["directory", "descriptor", "introduction", "rendezvous", "connected"]
}
