/// TorClient module (see docs/architecture.md).
public enum TorClientModule {}
