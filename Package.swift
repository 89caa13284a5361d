// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Whether Open MPI's C bindings are installed (pkg-config's `ompi-c.pc` in one of its usual
/// folders or on `PKG_CONFIG_PATH`). Only then does the package hold the MPI targets and does
/// `kiln` link them, so Kiln builds and tests everywhere and trains across processes where
/// Open MPI is (`make deps` installs it on Debian).
let hasOpenMPI: Bool = {
    let listed = ProcessInfo.processInfo.environment["PKG_CONFIG_PATH"]?.split(separator: ":").map(String.init) ?? []
    let usual = ["/usr/lib/x86_64-linux-gnu/pkgconfig", "/usr/lib/aarch64-linux-gnu/pkgconfig", "/usr/lib/pkgconfig",
                 "/usr/share/pkgconfig", "/usr/local/lib/pkgconfig", "/opt/homebrew/lib/pkgconfig"]
    return (listed + usual).contains { FileManager.default.fileExists(atPath: $0 + "/ompi-c.pc") }
}()

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
        .library(name: "KilnDistributed", targets: ["KilnDistributed"]),
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
        .target(name: "KilnDistributed", dependencies: ["Kiln"]),
        .target(name: "KilnTrain", dependencies: ["Kiln", "KilnNN", "KilnOptimizers", "KilnData", "KilnMetrics", "KilnDistributed",
                                                  .product(name: "Yams", package: "Yams")]),
        .target(name: "KilnLab", dependencies: ["Kiln", "KilnNN", "KilnOptimizers", "KilnData", "KilnMetrics", "KilnTrain", "CKilnKernels"]),
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
        .testTarget(name: "KilnDistributedTests", dependencies: ["KilnDistributed", "KilnTrain", "KilnTestSupport"]),
        .testTarget(name: "KilnLabTests", dependencies: ["KilnLab", "KilnOptimizers", "KilnTrain", "KilnTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["Kiln", "KilnData", "KilnOptimizers", "KilnTrain", "KilnLab"],
                    resources: [.copy("Inputs")]),
    ],
    swiftLanguageModes: [.v5]
)

if hasOpenMPI {
    package.products.append(.library(name: "KilnMPI", targets: ["KilnMPI"]))
    package.targets += [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
        .target(name: "CKilnMPI", dependencies: ["CMPI"]),
        .target(name: "KilnMPI", dependencies: ["KilnDistributed", "CMPI", "CKilnMPI"]),
    ]
    package.targets.first { $0.name == "kiln" }!.dependencies.append("KilnMPI")
}
