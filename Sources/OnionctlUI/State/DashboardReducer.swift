import FoundationEssentials

/// Something that happened, fed to ``DashboardReducer/reduce(_:_:)``.
public enum DashboardEvent: Sendable, Equatable {
    case key(Key)
    case snapshot(DashboardSnapshot)
    /// The clock moved (ages, flash expiry).
    case tick(Date)
    /// A backend call returned: `message` on success, `failure` (for the user) otherwise.
    case actionFinished(DashboardAction, message: String?, failure: String?)
}

/// What the reducer asks the outside world to do.
public enum DashboardEffect: Sendable, Equatable {
    case perform(DashboardAction)
    /// Clear and repaint the whole terminal (Ctrl-L).
    case fullRedraw
    case quit
}

/// The pure heart of the dashboard: `(state, event) → (state', effects)`. No I/O, no clock of its
/// own: everything it needs is in the state or the event, which is what makes it testable.
public struct DashboardReducer: Sendable {
    public var keyMap: KeyMap
    /// How long status-line messages stay.
    public var flashDuration: TimeInterval = 6

    public init(keyMap: KeyMap = .standard) { self.keyMap = keyMap }

    /// Applies `event` to `state` and returns the effects to run.
    public func reduce(_ state: inout DashboardState, _ event: DashboardEvent) -> [DashboardEffect] {
        switch event {
        case let .snapshot(snapshot):
            state.snapshot = snapshot
            if case let .detail(name) = state.screen, snapshot.device(named: name) == nil {
                state.screen = .devices
            }
            if state.selectedDevice == nil || snapshot.device(named: state.selectedDevice!) == nil {
                state.selectedDevice = state.visibleDevices.first?.name
            }
            if case let .confirmRemove(name, _, _) = state.dialog, snapshot.device(named: name) == nil {
                state.dialog = nil
            }
            return []
        case let .tick(now):
            state.now = now
            if let until = state.flash?.until, until <= now { state.flash = nil }
            return []
        case let .actionFinished(action, message, failure):
            if let device = action.device, let n = state.inFlight[device] {
                if n <= 1 {
                    state.inFlight[device] = nil
                    state.optimistic[device] = nil
                } else {
                    state.inFlight[device] = n - 1
                }
            }
            if case let .addDevice(name, onion, kind) = action, let failure, state.dialog == nil {
                // Refused by the address book (e.g. the address is already there): the dialog comes
                // back with what was typed and why, rather than losing it.
                var form = AddDeviceForm(name: name, onion: onion, kind: kind, focus: .name)
                form.error = failure
                state.dialog = .addDevice(form)
            }
            if let failure {
                state.flash = Flash(text: failure, isError: true, until: state.now + flashDuration * 2)
            } else if let message, !message.isEmpty {
                state.flash = Flash(text: message, until: state.now + flashDuration)
            }
            return []
        case let .key(key):
            return reduceKey(&state, key)
        }
    }

    // MARK: Keys

    private func reduceKey(_ state: inout DashboardState, _ key: Key) -> [DashboardEffect] {
        if key == .resize { return [] }
        if key == .ctrl("c") { return quit(&state) }
        if state.flash?.until == nil { state.flash = nil }
        if state.showHelp {
            if key == .char("q") { return quit(&state) }
            state.showHelp = false
            return []
        }
        if let dialog = state.dialog {
            switch dialog {
            case let .addDevice(form): return reduceAddDialog(&state, form, key)
            case let .confirmRemove(name, onion, focus):
                return reduceConfirm(&state, name: name, onion: onion, focus: focus, key)
            }
        }
        if let prompt = state.prompt { return reducePrompt(&state, prompt, key) }

        guard let command = keyMap.command(for: key, in: scopes(state)) else {
            if key == .escape || key == .backspace, state.screen != .devices {
                state.screen = .devices
            } else if key == .escape, !state.filter.isEmpty {
                state.filter = ""
            }
            return []
        }
        return run(command, &state)
    }

    /// The key scopes active on the current screen, most specific first.
    func scopes(_ state: DashboardState) -> [KeyScope] {
        switch state.screen {
        case .devices:
            switch state.currentDevice?.kind {
            case .thermostat?: return [.devices, .thermostat]
            default: return [.devices]
            }
        case .detail:
            switch state.currentDevice?.kind {
            case .thermostat?: return [.thermostat, .detail]
            case .pins?: return [.pins, .detail]
            default: return [.detail]
            }
        case .tor, .log:
            return []
        }
    }

    private func quit(_ state: inout DashboardState) -> [DashboardEffect] {
        state.quitting = true
        return [.quit]
    }

    private func run(_ command: Command, _ state: inout DashboardState) -> [DashboardEffect] {
        switch command {
        case .quit: return quit(&state)
        case .help: state.showHelp = true
        case .redraw: return [.fullRedraw]
        case .moveUp: move(&state, by: -1)
        case .moveDown: move(&state, by: 1)
        case .top: move(&state, by: -10_000)
        case .bottom: move(&state, by: 10_000)
        case .open:
            if let device = state.currentDevice {
                state.screen = .detail(device.name)
                state.selectedPin = 0
            }
        case .back: state.screen = .devices
        case .showDevices: state.screen = .devices
        case .showTor: state.screen = .tor
        case .showLog: state.screen = .log
        case .nextScreen, .previousScreen:
            let order: [DashboardScreen] = [.devices, .tor, .log]
            let i = order.firstIndex(of: state.screen.tab) ?? 0
            let step = command == .nextScreen ? 1 : order.count - 1
            state.screen = order[(i + step) % order.count]
        case .filter: state.prompt = .filter(state.filter)
        case .commandLine: state.prompt = .command("")
        case .add:
            if refuseBookChange(&state) { return [] }
            state.dialog = .addDevice(AddDeviceForm())
        case .delete:
            if refuseBookChange(&state) { return [] }
            if let device = state.currentDevice {
                state.dialog = .confirmRemove(name: device.name, onion: device.onion, focus: .cancel)
            }
        case .refresh:
            if state.snapshot.addressBookProblem != nil || state.currentDevice == nil {
                state.flash = Flash(text: "Re-reading the address book…", until: state.now + flashDuration)
                return [.perform(.reloadAddressBook)]
            }
            if let device = state.currentDevice {
                state.flash = Flash(text: "Refreshing \(device.name)…", until: state.now + flashDuration)
                return [.perform(.refresh(device: device.name))]
            }
        case .setpointUp, .setpointDown:
            return adjustSetpoint(&state, steps: command == .setpointUp ? 1 : -1)
        case .cycleMode:
            guard let device = state.currentDevice, let reading = device.thermostat else {
                return notReadYet(&state)
            }
            let from = state.pending(for: device).mode ?? reading.mode
            state.optimistic[device.name, default: PendingChanges()].mode = from.next
            return send(&state, .cycleMode(device: device.name))
        case .togglePin:
            guard let device = state.currentDevice, let links = device.pins, !links.isEmpty else {
                return notReadYet(&state)
            }
            let link = links[min(state.selectedPin, links.count - 1)]
            guard let on = link.isOn, link.isToggleable else {
                state.flash = Flash(text: "“\(link.name)” is a \(link.typeName) link; only simple pins can be toggled.",
                                    isError: true, until: state.now + flashDuration)
                return []
            }
            let current = state.pending(for: device).pins[link.index] ?? on
            state.optimistic[device.name, default: PendingChanges()].pins[link.index] = !current
            return send(&state, .togglePin(device: device.name, index: link.index))
        }
        return []
    }

    /// An address book that cannot be read cannot be changed either: say so instead of opening a
    /// dialog whose result would be refused.
    private func refuseBookChange(_ state: inout DashboardState) -> Bool {
        guard state.snapshot.addressBookProblem != nil else { return false }
        state.flash = Flash(text: "The address book cannot be changed until it can be read again (see above); it is kept untouched.",
                            isError: true, until: state.now + flashDuration * 2)
        return true
    }

    private func notReadYet(_ state: inout DashboardState) -> [DashboardEffect] {
        let name = state.currentDevice?.name ?? "This device"
        state.flash = Flash(text: "\(name) has not been read yet; wait for it to connect or press r.",
                            isError: true, until: state.now + flashDuration)
        return []
    }

    private func adjustSetpoint(_ state: inout DashboardState, steps: Int) -> [DashboardEffect] {
        guard let device = state.currentDevice, device.kind == .thermostat else { return [] }
        guard let reading = device.thermostat else { return notReadYet(&state) }
        let from = state.pending(for: device).setpoint ?? reading.setpoint
        let target = reading.setpoint(from: from, movedBy: steps)
        if target == from {
            let limit = steps > 0 ? "maximum" : "minimum"
            state.flash = Flash(text: "\(format(target)) °C is the \(limit) setpoint of \(device.name).",
                                until: state.now + flashDuration)
            return []
        }
        state.optimistic[device.name, default: PendingChanges()].setpoint = target
        return send(&state, .adjustSetpoint(device: device.name, steps: steps))
    }

    private func send(_ state: inout DashboardState, _ action: DashboardAction) -> [DashboardEffect] {
        if let device = action.device { state.inFlight[device, default: 0] += 1 }
        return [.perform(action)]
    }

    private func move(_ state: inout DashboardState, by delta: Int) {
        if case let .detail(name) = state.screen {
            let count = state.snapshot.device(named: name)?.pins?.count ?? 0
            state.selectedPin = max(0, min(count - 1, state.selectedPin + delta))
            return
        }
        let visible = state.visibleDevices
        guard let i = state.selectedIndex else { return }
        state.selectedDevice = visible[max(0, min(visible.count - 1, i + delta))].name
    }

    // MARK: Prompt

    private func reducePrompt(_ state: inout DashboardState, _ prompt: Prompt, _ key: Key) -> [DashboardEffect] {
        switch prompt {
        case let .filter(text):
            switch key {
            case .escape:
                state.filter = ""
                state.prompt = nil
            case .enter:
                state.prompt = nil
            case .backspace:
                if text.isEmpty { state.prompt = nil } else { setFilter(&state, String(text.dropLast())) }
            case let .char(c) where !c.isNewline:
                setFilter(&state, text + String(c))
            default: break
            }
        case let .command(text):
            switch key {
            case .escape: state.prompt = nil
            case .backspace:
                state.prompt = text.isEmpty ? nil : .command(String(text.dropLast()))
            case .enter:
                state.prompt = nil
                let line = text.trimmingBlanks()
                switch line {
                case "": return []
                case "q", "quit", "exit": return quit(&state)
                case "help": state.showHelp = true
                case "add":
                    if !refuseBookChange(&state) { state.dialog = .addDevice(AddDeviceForm()) }
                default: return [.perform(.runCommand(line))]
                }
            case let .char(c) where !c.isNewline:
                state.prompt = .command(text + String(c))
            default: break
            }
        }
        return []
    }

    private func setFilter(_ state: inout DashboardState, _ text: String) {
        state.prompt = .filter(text)
        state.filter = text
        if state.screen != .devices { state.screen = .devices }
        if let first = state.visibleDevices.first, !state.visibleDevices.contains(where: { $0.name == state.selectedDevice }) {
            state.selectedDevice = first.name
        }
    }

    // MARK: Dialogs

    private func reduceConfirm(_ state: inout DashboardState, name: String, onion: String, focus: ConfirmChoice,
                               _ key: Key) -> [DashboardEffect] {
        func confirm() -> [DashboardEffect] {
            state.dialog = nil
            return [.perform(.removeDevice(name: name))]
        }
        switch key {
        case .char("y"), .char("Y"): return confirm()
        case .char("n"), .char("N"), .escape, .backspace:
            state.dialog = nil
        case .char("q"): return quit(&state)
        case .tab, .backTab, .left, .right, .char("h"), .char("l"):
            state.dialog = .confirmRemove(name: name, onion: onion, focus: focus == .cancel ? .confirm : .cancel)
        case .enter, .char(" "):
            if focus == .confirm { return confirm() }
            state.dialog = nil
        default: break
        }
        return []
    }

    private func reduceAddDialog(_ state: inout DashboardState, _ form: AddDeviceForm, _ key: Key) -> [DashboardEffect] {
        var form = form
        let fields = AddDeviceForm.Field.allCases
        func focus(_ delta: Int) {
            form.focus = fields[(form.focus.rawValue + delta + fields.count) % fields.count]
        }
        switch key {
        case .escape:
            state.dialog = nil
            return []
        case .tab, .down: focus(1)
        case .backTab, .up: focus(-1)
        case .left, .right:
            if form.focus == .kind {
                let kinds = DeviceKind.allCases
                let i = kinds.firstIndex(of: form.kind)!
                form.kind = kinds[(i + (key == .right ? 1 : kinds.count - 1)) % kinds.count]
            } else if form.focus == .add || form.focus == .cancel {
                form.focus = form.focus == .add ? .cancel : .add
            }
        case .backspace:
            if form.focus == .name { form.name = String(form.name.dropLast()) }
            if form.focus == .onion { form.onion = String(form.onion.dropLast()) }
        case .enter:
            switch form.focus {
            case .name, .onion, .kind: focus(1)
            case .cancel:
                state.dialog = nil
                return []
            case .add:
                if let problem = validate(form, state.snapshot) {
                    form.error = problem.message
                    form.focus = problem.field
                } else {
                    state.dialog = nil
                    let onion: String
                    if case let .valid(canonical) = form.onionCheck { onion = canonical } else { onion = form.onion }
                    return [.perform(.addDevice(name: form.name, onion: onion, kind: form.kind))]
                }
            }
        case let .char(c):
            switch form.focus {
            case .name where !c.isNewline && form.name.count < 32: form.name.append(c)
            case .onion where !c.isWhitespace && form.onion.count < 80: form.onion.append(c)
            case .kind where c == " ":
                let kinds = DeviceKind.allCases
                form.kind = kinds[(kinds.firstIndex(of: form.kind)! + 1) % kinds.count]
            case .add, .cancel:
                if c == "q" { return quit(&state) }
            default: break
            }
            if form.focus == .name || form.focus == .onion { form.error = nil }
        default: break
        }
        state.dialog = .addDevice(form)
        return []
    }

    private func validate(_ form: AddDeviceForm, _ snapshot: DashboardSnapshot)
        -> (message: String, field: AddDeviceForm.Field)? {
        let name = form.name
        if name.isEmpty { return ("Give the device a name, e.g. hall or garage.", .name) }
        if let problem = form.nameProblem { return (problem, .name) }
        if snapshot.device(named: name) != nil { return ("\(name) already exists; choose another name.", .name) }
        switch form.onionCheck {
        case .valid: return nil
        case .empty: return ("Paste the device's onion address.", .onion)
        case let .incomplete(n): return ("An onion address has 56 characters before .onion; this one has \(n).", .onion)
        case let .invalid(why): return ("Not a valid onion address: \(why).", .onion)
        }
    }
}

/// Temperatures as the UI prints them: one decimal.
func format(_ value: Double) -> String { value.fixed(1) }
