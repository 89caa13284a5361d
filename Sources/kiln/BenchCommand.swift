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

    @Argument(help: "Parts to run: \(BenchPart.names.joined(separator: ", ")) (default: all).",
              transform: { try BenchPart(named: $0) })
    var parts: [BenchPart] = []

    @Option(help: "Threads for Kiln's kernels and BLAS (default: all cores).")
    var threads: Int?

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    @Option(help: "New tokens per run of the generation part.")
    var tokens = GenerationBenchSettings().tokens

    @Option(help: "Timed runs of each sampler in the generation part.")
    var runs = GenerationBenchSettings().runs

    func validate() throws {
        if let threads { try RunLimits.check(threads: threads) }
        guard (1...65_536).contains(tokens) else { throw CommandError("--tokens must be from 1 to 65536, got \(tokens)") }
        guard (1...1_000).contains(runs) else { throw CommandError("--runs must be from 1 to 1000, got \(runs)") }
    }

    func run() throws {
        Threads.withCount(threads ?? Threads.count) {
            let report = BenchReport(json: json)
            let generation = GenerationBenchSettings(tokens: tokens, runs: runs)
            for part in parts.isEmpty ? BenchPart.allCases : parts {
                part.run(into: report, generation: generation)
            }
            report.finish()
        }
    }
}
