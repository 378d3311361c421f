/// OnionctlCLI module (see docs/architecture.md).
public enum OnionctlCLIModule {}
