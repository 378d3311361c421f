/// Devices module (see docs/architecture.md).
public enum DevicesModule {}
