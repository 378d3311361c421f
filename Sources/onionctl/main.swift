import OnionctlCLI
import TorClient

ProcessMemory.configureForLongRunning()
await Onionctl.runFromCommandLine()
