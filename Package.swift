// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Kiln", targets: ["Kiln"]),
        .library(name: "KilnOptimizers", targets: ["KilnOptimizers"]),
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
        .target(
            name: "Kiln",
            dependencies: [
                "CKilnKernels",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        .target(name: "KilnOptimizers", dependencies: ["Kiln"]),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "Kiln",
                "KilnOptimizers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KilnTests", dependencies: ["Kiln"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnOptimizersTests", dependencies: ["KilnOptimizers"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
