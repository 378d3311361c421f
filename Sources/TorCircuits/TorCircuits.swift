/// TorCircuits module (see docs/architecture.md).
public enum TorCircuitsModule {}
