import Foundation
@testable import OnionctlUI

enum Fixtures {
    static let now = FakeDashboardBackend.referenceDate
    static var snapshot: DashboardSnapshot { FakeDashboardBackend.sampleSnapshot(now: now) }

    static func state(_ configure: (inout DashboardState) -> Void = { _ in }) -> DashboardState {
        var state = DashboardState(snapshot: snapshot, now: now)
        configure(&state)
        return state
    }

    static func renderer(ascii: Bool = false) -> DashboardRenderer {
        DashboardRenderer(glyphs: ascii ? .ascii : .unicode, keyMap: .standard, timeZone: .utc)
    }

    /// Feeds keys through the reducer, collecting effects.
    static func press(_ keys: [Key], _ state: inout DashboardState, reducer: DashboardReducer = DashboardReducer())
        -> [DashboardEffect] {
        keys.flatMap { reducer.reduce(&state, .key($0)) }
    }

    static func typing(_ text: String) -> [Key] { text.map { .char($0) } }
}
