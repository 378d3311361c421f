import OnionctlCLI
import OnionctlUI

print("onionctl: not yet implemented")
