/// TorDirectory module (see docs/architecture.md).
public enum TorDirectoryModule {}
