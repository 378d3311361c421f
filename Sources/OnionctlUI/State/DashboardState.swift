import FoundationEssentials
import OnionService
import struct Devices.DeviceEntry

/// The screens of the dashboard.
public enum DashboardScreen: Sendable, Equatable {
    case devices
    /// One device, by name.
    case detail(String)
    case tor
    case log

    /// The top-level screen this one belongs to (for the tab bar).
    var tab: DashboardScreen {
        if case .detail = self { return .devices }
        return self
    }
}

/// The one-line prompt at the bottom (`/` filter or `:` command).
public enum Prompt: Sendable, Equatable {
    case filter(String)
    case command(String)
}

/// A transient message on the status line.
public struct Flash: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    /// When it disappears (nil: at the next key press).
    public var until: Date?

    public init(text: String, isError: Bool = false, until: Date? = nil) {
        self.text = text
        self.isError = isError
        self.until = until
    }
}

/// The add-device dialog's form.
public struct AddDeviceForm: Sendable, Equatable {
    public enum Field: Int, Sendable, CaseIterable { case name, onion, kind, add, cancel }
    public var name = ""
    public var onion = ""
    public var kind = DeviceKind.thermostat
    public var focus = Field.name
    /// Set when "Add" was pressed with invalid input.
    public var error: String?

    public init(name: String = "", onion: String = "", kind: DeviceKind = .thermostat, focus: Field = .name) {
        self.name = name
        self.onion = onion
        self.kind = kind
        self.focus = focus
    }

    /// Live verdict on the onion field.
    public var onionCheck: OnionCheck { OnionCheck(onion) }

    /// Live verdict on the name, with the address book's own rule (``Devices/DeviceEntry/isValidName(_:)``):
    /// nil while it is acceptable (or empty), else what is wrong.
    public var nameProblem: String? { AddDeviceForm.problem(withName: name) }

    /// What is wrong with `name` under the address book's rule, in the dialog's words.
    public static func problem(withName name: String) -> String? {
        if name.isEmpty || DeviceEntry.isValidName(name) { return nil }
        if name.utf8.count > 64 { return "At most 64 characters." }
        if name.first == "-" || name.first == "_" { return "Start with a letter or digit." }
        let bad = name.first { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }
        return "“\(bad.map(String.init) ?? name)” is not allowed: use letters, digits, - and _ only."
    }
}

/// Live validation of a typed onion address, for the add dialog.
public enum OnionCheck: Sendable, Equatable {
    /// Nothing typed yet.
    case empty
    /// Plausible so far: base32 characters only, fewer than 56 (count attached).
    case incomplete(Int)
    /// Will not work; the message says why (typo in the checksum, wrong length, bad character…).
    case invalid(String)
    /// A valid v3 address, in canonical form.
    case valid(String)

    public init(_ text: String) {
        var host = text.trimmingBlanks().lowercased()
        if host.hasSuffix(".onion") { host.removeLast(6) }
        if host.isEmpty { self = .empty; return }
        if let address = OnionAddress(validating: host) { self = .valid(address.description); return }
        let base32 = Set("abcdefghijklmnopqrstuvwxyz234567")
        if host.count < OnionAddress.encodedLength, host.allSatisfy({ base32.contains($0) }) {
            self = .incomplete(host.count)
            return
        }
        do {
            _ = try OnionAddress(host)
            self = .invalid("not a usable onion address")
        } catch .badChecksum {
            self = .invalid("checksum does not match: a typo? check each character")
        } catch {
            self = .invalid(error.description)
        }
    }

    public var isValid: Bool { if case .valid = self { return true } else { return false } }
}

/// Which button of a confirmation dialog has the focus.
public enum ConfirmChoice: Sendable, Equatable { case cancel, confirm }

/// A modal dialog.
public enum Dialog: Sendable, Equatable {
    case addDevice(AddDeviceForm)
    /// Remove `name` (at `onion`) from the address book. Starts on ``ConfirmChoice/cancel``.
    case confirmRemove(name: String, onion: String, focus: ConfirmChoice)
}

/// Everything the renderer needs: the latest backend snapshot plus the UI's own state.
public struct DashboardState: Sendable, Equatable {
    public var snapshot: DashboardSnapshot
    /// The render clock: ages ("3 s ago") are computed against it.
    public var now: Date
    public var screen: DashboardScreen = .devices
    /// Selected device, by name (survives re-ordering and filtering).
    public var selectedDevice: String?
    /// Selected row of a pins device's link list.
    public var selectedPin = 0
    /// Device-list filter (case-insensitive substring of name, kind or onion).
    public var filter = ""
    public var prompt: Prompt?
    public var dialog: Dialog?
    public var showHelp = false
    public var flash: Flash?
    /// Changes the UI has asked for whose backend call has not returned yet, per device; shown
    /// as pending on top of the snapshot's own ``DeviceSnapshot/pending``.
    public var optimistic: [String: PendingChanges] = [:]
    /// Backend calls in flight per device.
    public var inFlight: [String: Int] = [:]
    /// Set once the user asked to quit.
    public var quitting = false

    public init(snapshot: DashboardSnapshot = DashboardSnapshot(), now: Date) {
        self.snapshot = snapshot
        self.now = now
        self.selectedDevice = snapshot.devices.first?.name
    }

    /// Devices that pass the filter, in order.
    public var visibleDevices: [DeviceSnapshot] {
        let f = filter.lowercased()
        guard !f.isEmpty else { return snapshot.devices }
        return snapshot.devices.filter {
            $0.name.lowercased().contains(f) || $0.kind.rawValue.contains(f) || $0.onion.contains(f)
        }
    }

    /// Index of the selected device among ``visibleDevices`` (first if the selection is hidden).
    public var selectedIndex: Int? {
        let visible = visibleDevices
        guard !visible.isEmpty else { return nil }
        return visible.firstIndex { $0.name == selectedDevice } ?? 0
    }

    /// The device the current screen is about (detail screen, or the list's selection).
    public var currentDevice: DeviceSnapshot? {
        if case let .detail(name) = screen { return snapshot.device(named: name) }
        guard let i = selectedIndex else { return nil }
        return visibleDevices[i]
    }

    /// The device's pending changes: the UI's own (while its calls are in flight) over the backend's.
    public func pending(for device: DeviceSnapshot) -> PendingChanges {
        var merged = device.pending
        if let mine = optimistic[device.name] {
            if let s = mine.setpoint { merged.setpoint = s }
            if let m = mine.mode { merged.mode = m }
            merged.pins.merge(mine.pins) { _, new in new }
        }
        return merged
    }
}
