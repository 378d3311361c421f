import OnionctlCLI

await Onionctl.runFromCommandLine()
