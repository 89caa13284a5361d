import ArgumentParser
import Foundation
import KilnLab
import Kiln
import KilnTrain

/// `kiln lab activations CHECKPOINT`: activation statistics of a trained model, as a table and an HTML report.
struct LabActivationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "Activation ratio, dead channels, massive activations and attention sinks of a checkpoint.",
        discussion: """
        Observes the input of every linear layer, the residual stream before each transformer block and \
        the attention weights of every attention layer, on held-out data (validation windows of a \
        language model, test images of a classifier). With --growth RUN_DIR instead of a checkpoint, prints how \
        the largest residual-stream activation grew against the median over a run trained with \
        kiln lm train --track-activations.
        """)

    @Argument(help: "A checkpoint written by kiln lm train or kiln train.") var checkpoint: String?
    @Option(help: "A run folder of kiln lm train --track-activations: print the growth of its largest activations.") var growth: String?
    @Option(help: "Held-out inputs to observe (windows of a language model, examples of a classifier).") var inputs = 16
    @Option(help: "The magnitude at or below which an activation counts as inactive.") var threshold: Float = 0
    @Option(help: "The cumulative error of tail truncation (CETT) at which the MLPs' activation ratio is read, in (0, 1).") var cett = 0.2
    @Option(help: "The HTML report to write.") var report = "activations.html"
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?

    func validate() throws {
        guard (checkpoint == nil) != (growth == nil) else { throw CommandError("give a checkpoint or --growth RUN_DIR, not both or neither") }
        guard inputs >= 1 else { throw CommandError("--inputs must be positive, got \(inputs)") }
        guard cett > 0 && cett < 1 else { throw CommandError("--cett must be in (0, 1), got \(cett)") }
        guard threshold >= 0 && threshold.isFinite else { throw CommandError("--threshold must be finite and at least 0, got \(threshold)") }
    }

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        guard let checkpoint else { return try printGrowth(of: growth!) }
        let analysis = try Threads.withCount(threads ?? Threads.count) { () throws -> ActivationAnalysis in
            let subject = try LabCheckpoint(path: checkpoint)
            return ActivationAnalysis(model: subject.model, batches: subject.heldOutInputs(count: inputs), threshold: threshold,
                                      cettTarget: cett)
        }
        let width = analysis.layers.map(\.name.count).max() ?? 0
        for layer in analysis.layers {
            print(layer.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + layer.summaryLine)
        }
        for entry in analysis.tailTruncation {
            print(String(format: "%@ at CETT %.2f: activation ratio %.3f (threshold %.3g)", entry.layer, analysis.cettTarget, entry.ratio,
                         entry.threshold))
        }
        for head in analysis.heads {
            print(String(format: "%@ head %d: weight on position 0 %.3f, dormant on %.0f%% of inputs%@", head.layer, head.head,
                         head.sinkWeight, 100 * head.dormantFraction, head.isDormant ? "  (dormant)" : ""))
        }
        let page = analysis.report(title: "Activations of \(checkpoint)",
                                   facts: [("inputs observed", "\(inputs)"), ("threshold", "\(threshold)")]).render()
        try AtomicFile.write(Data(page.utf8), to: report)
        print("wrote \(report)")
    }

    /// Prints the growth table of the `activations` records in the run folder's log.
    private func printGrowth(of folder: String) throws {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("metrics.jsonl").path
        let table = ActivationGrowth(records: try RunLog.lines(of: RunLog.contents(of: path), file: path).map(\.record))
        guard !table.rows.isEmpty else { throw CommandError("\(path) holds no activation records; train with --track-activations") }
        let width = table.rows.map(\.label.count).max()!
        print("steps".padding(toLength: 7, withPad: " ", startingAt: 0) + "point".padding(toLength: width + 2, withPad: " ", startingAt: 0)
              + "largest |a|  (token, channel)     median  largest/median")
        for row in table.rows {
            let position = "(\(row.token), \(row.channel))"
            print(String(format: "%-7d%@%11.4g  %@%11.4g  %14.1f", row.steps, row.label.padding(toLength: width + 2, withPad: " ", startingAt: 0),
                         row.largest, position.padding(toLength: max(16, position.count), withPad: " ", startingAt: 0), row.median, row.ratio))
        }
    }
}
