/// TorProto module (see docs/architecture.md).
public enum TorProtoModule {}
