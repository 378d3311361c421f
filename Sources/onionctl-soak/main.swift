// onionctl-soak: the headless soak driver (Benchmarks/soak runs it); see SoakDriver in OnionctlCLI.
import Foundation
import OnionctlCLI

exit(await SoakDriver.main(Array(CommandLine.arguments.dropFirst())))
