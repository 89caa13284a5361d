// swift-tools-version: 6.1
// libFuzzer targets for every reader of Kiln, one executable per file format.
//
// Kept apart from Kiln's own manifest so that Kiln stays free of unsafe flags: nothing depends
// on this package. Build and run a target with `scripts/fuzz/run.sh TARGET SECONDS`.
import Foundation
import PackageDescription

// SwiftPM names a package depended on by path after its folder, so the folder holding Kiln
// (whatever it is called in a checkout) is the package to name in each product dependency.
let kiln = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// One fuzz target: an executable that hands its test of one input to libFuzzer's driver.
func fuzzTarget(_ format: String, _ products: [String]) -> Target {
    .executableTarget(
        name: "fuzz-\(format)",
        dependencies: ["CFuzzerDriver"] + products.map { .product(name: $0, package: kiln) },
        path: "Sources/\(format)",
        // gold stops with an internal error on the sanitized objects; lld links them.
        linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
    )
}

let package = Package(
    name: "KilnFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        fuzzTarget("safetensors", ["Kiln"]),
        fuzzTarget("npy", ["Kiln"]),
        fuzzTarget("npz", ["KilnData"]),
        fuzzTarget("idx", ["KilnData"]),
        fuzzTarget("gzip", ["KilnData"]),
        fuzzTarget("csv", ["KilnData", "KilnTrain"]),
        fuzzTarget("settings", ["KilnTrain"]),
        fuzzTarget("runlog", ["KilnOptimizers", "KilnLab"]),
        fuzzTarget("quantized", ["KilnLab"]),
        fuzzTarget("schedule", ["KilnOptimizers"]),
        fuzzTarget("tokenizer", ["KilnData"]),
        fuzzTarget("lmsettings", ["KilnTrain"]),
    ],
    swiftLanguageModes: [.v5]
)
