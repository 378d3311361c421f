// onionctl-soak: the headless soak driver (Benchmarks/soak runs it); SoakDriver.swift beside it.
import Foundation
import OnionctlCLI

exit(await SoakDriver.main(Array(CommandLine.arguments.dropFirst())))
