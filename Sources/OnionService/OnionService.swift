/// OnionService module (see docs/architecture.md).
public enum OnionServiceModule {}
