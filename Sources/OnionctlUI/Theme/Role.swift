/// What a piece of screen *means*; themes map roles to colours and attributes.
///
/// The renderer only ever writes roles into the ``ScreenGrid``; colours are applied when the grid
/// is copied to the terminal. Every theme file in `themes/` must define every role.
public enum Role: String, Sendable, CaseIterable, Hashable {
    // base
    case text, muted, border, title
    // bars
    case header, tab, tab_active, status, key_hint, flash, command_line
    // lists
    case selection, column_header
    // states
    case ok, pending, warning, error, offline, progress, progress_done
    // thermostat
    case temperature, setpoint, heating, cooling, mode_off
    // pins
    case pin_on, pin_off
    // chart
    case chart, chart_axis
    // dialogs and inputs
    case dialog, dialog_border, button, button_focus, danger, input, input_invalid, input_valid

    /// One character per role for role-map snapshots (stable; append new roles at the end).
    public var code: Character {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return alphabet[Role.allCases.firstIndex(of: self)!]
    }
}
