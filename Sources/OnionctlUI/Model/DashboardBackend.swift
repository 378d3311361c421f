import FoundationEssentials

/// What the dashboard needs from the rest of onionctl: a stream of snapshots and a handful of
/// commands. The live implementation sits over the `Devices` layer; ``FakeDashboardBackend`` is a
/// deterministic stand-in for tests and the `onionctl-ui-demo` executable.
///
/// Commands return once the backend has *accepted* the change (typically after it has marked it
/// pending in the next snapshot); confirmation by the device arrives later through
/// ``snapshots()``. Errors thrown are shown to the user: make their `description` (or
/// ``DashboardError/message``) a plain sentence that says what to do.
public protocol DashboardBackend: Sendable {
    /// Snapshots as they change, starting with the current one. The stream should finish when the
    /// backend shuts down; the dashboard keeps showing the last snapshot.
    func snapshots() -> AsyncStream<DashboardSnapshot>
    /// Re-read the device now (and reconnect it if its circuit is gone).
    func refresh(device: String) async throws
    /// Re-read the address book now (changes made meanwhile by `onionctl add`, an editor…).
    func reloadAddressBook() async throws
    /// Move the thermostat's setpoint by `steps` × its step (negative lowers it), relative to the
    /// pending target if a change is already in flight.
    func adjustSetpoint(device: String, bySteps steps: Int) async throws
    /// Switch the thermostat to the next mode: off → heat → cool → auto → off.
    func cycleMode(device: String) async throws
    /// Flip the simple pin at `index` of a pins device.
    func togglePin(device: String, index: Int) async throws
    /// Add an address-book entry. `onion` has been validated by the UI.
    func addDevice(name: String, onion: String, kind: DeviceKind) async throws
    /// Remove an address-book entry (the UI has asked for confirmation).
    func removeDevice(name: String) async throws
    /// Run a `:` command line with the CLI's verbs (`get heat`, `set heat setpoint 21`, …) and
    /// return its output (one or a few lines) for the status line.
    func runCommand(_ line: String) async throws -> String
}

/// An error with a message meant for the status line.
public struct DashboardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong and what to do, in plain words.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A command the UI asks the backend to perform (the reducer's output; see ``DashboardReducer``).
public enum DashboardAction: Sendable, Equatable {
    case refresh(device: String)
    case reloadAddressBook
    case adjustSetpoint(device: String, steps: Int)
    case cycleMode(device: String)
    case togglePin(device: String, index: Int)
    case addDevice(name: String, onion: String, kind: DeviceKind)
    case removeDevice(name: String)
    case runCommand(String)

    /// The device the action concerns, if any.
    public var device: String? {
        switch self {
        case let .refresh(device), let .adjustSetpoint(device, _), let .cycleMode(device),
             let .togglePin(device, _), let .removeDevice(device):
            return device
        case let .addDevice(name, _, _): return name
        case .runCommand, .reloadAddressBook: return nil
        }
    }

    /// Performs the action on `backend`; returns a message for the status line, if any.
    public func perform(on backend: any DashboardBackend) async throws -> String? {
        switch self {
        case let .refresh(device):
            try await backend.refresh(device: device)
            return nil
        case .reloadAddressBook:
            try await backend.reloadAddressBook()
            return "Address book re-read."
        case let .adjustSetpoint(device, steps):
            try await backend.adjustSetpoint(device: device, bySteps: steps)
            return nil
        case let .cycleMode(device):
            try await backend.cycleMode(device: device)
            return nil
        case let .togglePin(device, index):
            try await backend.togglePin(device: device, index: index)
            return nil
        case let .addDevice(name, onion, kind):
            try await backend.addDevice(name: name, onion: onion, kind: kind)
            return "Added \(name)."
        case let .removeDevice(name):
            try await backend.removeDevice(name: name)
            return "Removed \(name) from the address book."
        case let .runCommand(line):
            return try await backend.runCommand(line)
        }
    }
}
