// onionctl-ui-demo: the dashboard on FakeDashboardBackend (fixed sample devices, no network).
// For the tmux smoke test in Tests/OnionctlUITests and for trying themes; not installed.
//
//   onionctl-ui-demo [--theme NAME|PATH] [--color auto|always|never] [--ascii]
//                    [--confirm-after SECONDS]   (default 2; 0 = never confirm, changes stay pending)
import Foundation
import OnionctlUI

var options = DashboardOptions()
var confirmAfter: Double = 2
var arguments = CommandLine.arguments.dropFirst()
@MainActor func value(_ flag: String) -> String {
    guard let v = arguments.popFirst() else {
        FileHandle.standardError.write(Data("onionctl-ui-demo: \(flag) needs a value\n".utf8))
        exit(2)
    }
    return v
}
while let argument = arguments.popFirst() {
    switch argument {
    case "--theme": options.theme = value(argument)
    case "--color":
        guard let c = ColorChoice(rawValue: value(argument)) else {
            FileHandle.standardError.write(Data("onionctl-ui-demo: --color is auto, always or never\n".utf8))
            exit(2)
        }
        options.color = c
    case "--ascii": options.ascii = true
    case "--confirm-after": confirmAfter = Double(value(argument)) ?? 2
    default:
        FileHandle.standardError.write(Data("onionctl-ui-demo: unknown option \(argument)\n".utf8))
        exit(2)
    }
}

let backend = FakeDashboardBackend(confirmDelay: confirmAfter > 0 ? .milliseconds(Int(confirmAfter * 1000)) : nil,
                                   now: { Date() })
do {
    try await runDashboard(backend: backend, options: options)
    print("onionctl-ui-demo: bye")
} catch {
    FileHandle.standardError.write(Data("onionctl-ui-demo: \(error)\n".utf8))
    exit(1)
}
