import Foundation
import KilnTrain

/// The test accuracies of a ``DataPruningRun``: one entry per training, with a table and a plot.
public struct DataPruningResult: Sendable {
    /// One trained model's test accuracy.
    public struct Entry: Sendable, Equatable {
        /// `full`, `random`, or the scored series (`el2n, keep hard`).
        public var method: String
        /// The fraction of the training set kept (1 for the full set).
        public var fraction: Double
        /// The seed of the training (and of the scores it was pruned by).
        public var seed: UInt64
        /// The fraction of the test set classified correctly.
        public var accuracy: Double
    }

    /// Mean and sample standard deviation over seeds.
    public struct Spread: Sendable, Equatable {
        /// The mean.
        public var mean: Double
        /// The sample standard deviation (0 for one value).
        public var standardDeviation: Double

        init(_ values: [Double]) {
            let mean = values.reduce(0, +) / Double(max(values.count, 1))
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            self.mean = mean
            standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
        }
    }

    /// The settings of the experiment.
    public let settings: DataPruningSettings
    /// Every training's accuracy, in the order trained.
    public var entries: [Entry] = []

    /// The spread over seeds of `method` at `fraction`, or nil when it was not trained.
    public func spread(_ method: String, at fraction: Double) -> Spread? {
        let values = entries.filter { $0.method == method && $0.fraction == fraction }.map(\.accuracy)
        return values.isEmpty ? nil : Spread(values)
    }

    /// A Markdown table: one row per fraction kept, the scored and random subsets' test accuracy
    /// (mean ± standard deviation over seeds, in percent), and the scored set's difference from
    /// the full set.
    public var table: String {
        let full = spread("full", at: 1)
        var lines = ["| kept | \(settings.scoredName) | random | \(settings.scoredName) − full |", "|---|---|---|---|"]
        if let full { lines.append("| 100 % (full) | \(Self.cell(full)) | \(Self.cell(full)) | — |") }
        for fraction in settings.fractions.sorted(by: >) {
            guard let scored = spread(settings.scoredName, at: fraction), let random = spread("random", at: fraction) else { continue }
            let gap = full.map { String(format: "%+.2f", 100 * (scored.mean - $0.mean)) } ?? "—"
            lines.append("| \(String(format: "%.0f", 100 * fraction)) % | \(Self.cell(scored)) | \(Self.cell(random)) | \(gap) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Mean test accuracy against the fraction kept, the scored subsets beside random ones and the full set.
    public var svg: String {
        let fractions = settings.fractions.sorted()
        func series(_ method: String) -> [(x: Double, y: Double)] {
            fractions.compactMap { f in spread(method, at: f).map { (x: f, y: $0.mean) } }
                + (spread("full", at: 1).map { [(x: 1, y: $0.mean)] } ?? [])
        }
        let seeds = Set(entries.map(\.seed)).count
        return SVGPlot.lineChart([SVGPlot.Series(settings.scoredName, series(settings.scoredName), markers: true),
                                  SVGPlot.Series("random", series("random"), markers: true)],
                                 title: "Test accuracy against the fraction kept (mean of \(seeds) seeds)",
                                 xLabel: "fraction of the training set kept", yLabel: "test accuracy")
    }

    static func cell(_ s: Spread) -> String { String(format: "%.2f ± %.2f", 100 * s.mean, 100 * s.standardDeviation) }
}
