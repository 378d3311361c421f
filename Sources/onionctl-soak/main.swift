// onionctl-soak: the headless soak driver (Benchmarks/soak runs it); SoakDriver.swift beside it.
import Foundation
import OnionctlCLI
import TorClient

ProcessMemory.configureForLongRunning()  // as the onionctl executable does
exit(await SoakDriver.main(Array(CommandLine.arguments.dropFirst())))
