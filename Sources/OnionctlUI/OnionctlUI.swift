/// OnionctlUI module (see docs/architecture.md).
public enum OnionctlUIModule {}
