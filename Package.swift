// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Kiln", targets: ["Kiln"]),
        .library(name: "KilnNN", targets: ["KilnNN"]),
        .library(name: "KilnOptimizers", targets: ["KilnOptimizers"]),
        .library(name: "KilnData", targets: ["KilnData"]),
        .library(name: "KilnMetrics", targets: ["KilnMetrics"]),
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CKilnKernels"),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "Kiln",
            dependencies: [
                "CKilnKernels",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        .target(name: "KilnNN", dependencies: ["Kiln"]),
        .target(name: "KilnOptimizers", dependencies: ["Kiln"]),
        .target(name: "KilnData", dependencies: ["Kiln", "CZlib"]),
        .target(name: "KilnMetrics", dependencies: ["Kiln"]),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "Kiln",
                "KilnNN",
                "KilnOptimizers",
                "KilnData",
                "KilnMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KilnTests", dependencies: ["Kiln"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnNNTests", dependencies: ["KilnNN"]),
        .testTarget(name: "KilnDataTests", dependencies: ["KilnData"]),
        .testTarget(name: "KilnOptimizersTests", dependencies: ["KilnOptimizers"]),
        .testTarget(name: "KilnMetricsTests", dependencies: ["KilnMetrics"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
