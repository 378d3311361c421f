// swift-tools-version: 6.0
// onionctl: control your own IoT devices through Tor v3 onion services, with an embedded Tor
// client written in Swift. Layers (arrows point down only) are described in docs/architecture.md.
import PackageDescription

let package = Package(
    name: "onionctl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "onionctl", targets: ["onionctl"]),
        .executable(name: "onion-device", targets: ["onion-device"]),
        .executable(name: "onionctl-bench", targets: ["onionctl-bench"]),
        .executable(name: "torpow-bench", targets: ["torpow-bench"]),
        .library(name: "TorClient", targets: ["TorClient"]),
        // For Fuzz/ (a separate package that can only depend on products); brings TorClient too.
        .library(name: "Devices", targets: ["Devices"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C libraries, reached through pkg-config; shim headers wrap the macros.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CCompression", pkgConfig: "libzstd",
                       providers: [.apt(["zlib1g-dev", "libzstd-dev", "liblzma-dev"])]),

        // glibc malloc settings and trimming for long-running processes (malloc.h does not import).
        .target(name: "CMemory"),

        // MARK: The embedded Tor client, bottom to top.
        .target(name: "TorCrypto", dependencies: ["COpenSSL", "CSodium"]),
        // Directory answers compressed by the server (zlib, gzip, zstd, lzma), with bomb limits.
        .target(name: "TorCompression", dependencies: ["CCompression"]),
        .target(name: "TorProto", dependencies: ["TorCrypto"]),
        // Onion-service proof of work (prop 327): HashX, Equi-X and the v1 puzzle.
        // Optimized even in debug builds: an unoptimized Equi-X solve takes ~1 s instead of ~0.15 s,
        // which would make proof-of-work connections (and their tests) crawl in debug builds.
        .target(name: "TorPoW", dependencies: ["TorCrypto"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "TorDirectory", dependencies: ["TorProto", "TorCrypto"]),
        .target(name: "TorCircuits", dependencies: ["TorDirectory", "TorProto", "TorCrypto", "COpenSSL"]),
        .target(name: "OnionService", dependencies: ["TorCircuits", "TorDirectory", "TorProto", "TorCrypto", "TorPoW"]),
        .target(name: "TorClient", dependencies: ["OnionService", "TorCircuits", "TorDirectory", "TorCrypto", "TorCompression", "CMemory"]),

        // MARK: The application above the facade.
        .target(name: "Devices", dependencies: ["TorClient", "OnionService", "TorCircuits", "TorDirectory", "TorCrypto"]),
        .target(name: "OnionctlUI", dependencies: ["Devices", "OnionService", "CNCurses"]),
        // Runs the dashboard on FakeDashboardBackend: for the tmux smoke test and trying the UI.
        .executableTarget(name: "onionctl-ui-demo", dependencies: ["OnionctlUI"]),
        .target(name: "OnionctlCLI", dependencies: [
            "Devices", "OnionctlUI", "TorClient", "OnionService", "TorCircuits", "TorCrypto",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "onionctl", dependencies: ["OnionctlCLI", "OnionctlUI"]),
        // Headless soak driver over the dashboard's live backend (Benchmarks/soak runs it).
        .executableTarget(name: "onionctl-soak", dependencies: [
            "OnionctlCLI", "OnionctlUI", "Devices", "TorClient", "OnionService", "TorCircuits",
        ]),

        // MARK: Benchmark probe (Benchmarks/run drives it): one measurement per process.
        .executableTarget(name: "onionctl-bench", dependencies: [
            "TorClient", "OnionService", "TorCircuits", "TorCrypto", "TorDirectory", "TorProto", "Devices",
        ]),

        // Equi-X solves/s of our solver (Benchmarks/pow-bench compares it with C tor's).
        .executableTarget(name: "torpow-bench", dependencies: ["TorPoW"]),

        // MARK: The simulated device (thermostat / code-me-not pins) used by the private network.
        .target(name: "DeviceSimulator"),
        .executableTarget(name: "onion-device", dependencies: ["DeviceSimulator"]),

        // MARK: Tests. TestSupport brings up the private Tor network (scripts/testnet) for end-to-end tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TorCryptoTests", dependencies: ["TorCrypto"]),
        .testTarget(name: "TorCompressionTests", dependencies: ["TorCompression", "CCompression"]),
        .testTarget(name: "TorDirectoryTests", dependencies: ["TorDirectory"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DeviceSimulatorTests", dependencies: ["DeviceSimulator"]),
        .testTarget(name: "TorProtoTests", dependencies: ["TorProto"]),
        .testTarget(name: "TorPoWTests", dependencies: ["TorPoW", "TorCrypto"]),
        .testTarget(name: "TorCircuitsTests", dependencies: ["TorCircuits", "TorProto", "TorCrypto", "TorDirectory"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TorClientTests", dependencies: ["TorClient", "OnionService", "TorCircuits", "TorDirectory", "TorProto", "TorCrypto", "Devices", "TestSupport"]),
        .testTarget(name: "TestnetTests", dependencies: []),
        .testTarget(name: "OnionServiceTests", dependencies: ["OnionService", "TorPoW"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "OnionService", "TorCrypto", "TestSupport"]),
        .testTarget(name: "OnionctlCLITests", dependencies: ["OnionctlCLI", "Devices", "OnionService", "TorCircuits", "TorClient", "TorProto"]),
        .testTarget(name: "OnionctlUITests", dependencies: ["OnionctlUI", "OnionService", "TestSupport"], exclude: ["Snapshots"]),
    ]
)
