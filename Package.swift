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
        .library(name: "KilnTrain", targets: ["KilnTrain"]),
        .library(name: "KilnLab", targets: ["KilnLab"]),
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
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
        .target(name: "KilnOptimizers", dependencies: ["Kiln", "KilnNN", "CKilnKernels"]),
        .target(name: "KilnData", dependencies: ["Kiln", "CZlib"]),
        .target(name: "KilnMetrics", dependencies: ["Kiln"]),
        .target(name: "KilnTrain", dependencies: ["Kiln", "KilnNN", "KilnOptimizers", "KilnData", "KilnMetrics",
                                                  .product(name: "Yams", package: "Yams")]),
        .target(name: "KilnLab", dependencies: ["Kiln", "KilnNN", "KilnOptimizers", "KilnData", "KilnTrain", "CKilnKernels"]),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "Kiln", "KilnNN", "KilnOptimizers", "KilnData", "KilnMetrics", "KilnTrain", "KilnLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "KilnTestSupport", dependencies: ["Kiln"], path: "Tests/KilnTestSupport"),
        .testTarget(name: "KilnTests", dependencies: ["Kiln", "KilnTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnNNTests", dependencies: ["KilnNN", "KilnOptimizers", "KilnTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnOptimizersTests", dependencies: ["KilnOptimizers", "KilnNN", "KilnTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnDataTests", dependencies: ["KilnData", "KilnTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnMetricsTests", dependencies: ["KilnMetrics", "KilnTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnTrainTests", dependencies: ["KilnTrain", "KilnTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnLabTests", dependencies: ["KilnLab", "KilnOptimizers", "KilnTestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["Kiln", "KilnData", "KilnOptimizers", "KilnTrain", "KilnLab"],
                    resources: [.copy("Inputs")]),
    ],
    swiftLanguageModes: [.v5]
)
