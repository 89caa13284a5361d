import ArgumentParser
import Foundation
import Kiln
import KilnTrain

/// `kiln bench`: kernel and framework-overhead figures, as a table or JSON lines.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Kiln's kernels and per-op overhead.",
        discussion: "Figures are medians of several timed samples after warm-up calls."
    )

    @Argument(help: "Parts to run: \(BenchSuite.allParts.joined(separator: ", ")) (default: all).")
    var parts: [String] = []

    @Option(help: "Threads for Kiln's kernels and BLAS (default: all cores).")
    var threads: Int?

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    func validate() throws {
        if let threads { try RunLimits.check(threads: threads) }
        for part in parts where !BenchSuite.allParts.contains(part) {
            throw CommandError("unknown part '\(part)'; choose from \(BenchSuite.allParts.joined(separator: ", "))")
        }
    }

    func run() throws {
        Threads.withCount(threads ?? Threads.count) {
            let report = BenchReport(json: json)
            for part in parts.isEmpty ? BenchSuite.allParts : parts {
                BenchSuite.run(part, into: report)
            }
            report.finish()
        }
    }
}
