// swift-tools-version: 6.0
// libFuzzer targets for onionctl's parsers. Built only by scripts/fuzz, which adds
// `-sanitize=fuzzer -parse-as-library` to every module; see docs/fuzzing.md.
import PackageDescription

/// One executable per fuzz target, its source in Sources/<name>/. The onionctl package exports
/// only products, so FuzzSupport depends on the Devices product, whose dependencies (TorClient,
/// OnionService, TorDirectory, TorProto, TorCrypto) are built and importable with it.
let fuzzTargets = [
    "cells", "relay", "ed25519-cert", "link-certs",
    "netdoc", "authority-cert", "consensus", "microdesc", "network-config",
    "hsdesc-outer", "hsdesc-layer1", "hsdesc-layer2",
    "http-response", "address-book",
]

let package = Package(
    name: "onionctl-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "onionctl", path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer", .product(name: "Devices", package: "onionctl")]),
    ] + fuzzTargets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"], path: "Sources/\(name)")
    }
)
