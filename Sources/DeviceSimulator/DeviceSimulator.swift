/// DeviceSimulator module (see docs/architecture.md).
public enum DeviceSimulatorModule {}
