import Foundation
import Kiln
import KilnMetrics
import KilnTrain

/// The scored and trained candidates of an architecture search (``ArchitectureSearch``,
/// ``LanguageModelArchitectureSearch``), with each proxy's rank correlation to the trained performance.
public struct ArchitectureSearchResult: Sendable {
    /// One sampled architecture: its proxy scores at initialization and its performance after the brief training.
    public struct Candidate: Sendable {
        /// What was sampled.
        public var architecture: any SampledArchitecture
        /// Each proxy's score at initialization.
        public var scores: [ArchitectureProxy: Double]
        /// The trained performance, higher better: test accuracy, or minus the validation loss.
        public var target: Double
        /// Seconds spent computing every proxy.
        public var scoringSeconds: Double
        /// Seconds spent on the candidate in all (scoring, training, evaluation).
        public var seconds: Double

        /// A candidate with its scores, trained performance and timings.
        public init(architecture: any SampledArchitecture, scores: [ArchitectureProxy: Double], target: Double,
                    scoringSeconds: Double = 0, seconds: Double = 0) {
            self.architecture = architecture
            self.scores = scores
            self.target = target
            self.scoringSeconds = scoringSeconds
            self.seconds = seconds
        }
    }

    /// How well one score ranks the candidates' trained performance.
    public struct Correlation: Sendable {
        /// The proxy's name, or `combined`.
        public var name: String
        /// Kendall's τ-b (ties corrected), as SciPy's `kendalltau`.
        public var kendall: Double
        /// Spearman's ρ (average ranks for ties), as SciPy's `spearmanr`.
        public var spearman: Double
    }

    /// The proxies computed, in report order.
    public let proxies: [ArchitectureProxy]
    /// The proxies whose ranks make the combined score.
    public let combined: [ArchitectureProxy]
    /// The families sampled; with more than one the table adds τ within each.
    public let families: [String]
    /// What ``Candidate/target`` is, as a CSV column and axis label (`accuracy`).
    public let targetName: String
    /// Every candidate, in the order sampled.
    public var candidates: [Candidate]

    /// The result of a search of `families` scoring `proxies` (and combining `combined`) against `targetName`.
    public init(proxies: [ArchitectureProxy], combined: [ArchitectureProxy], families: [String], targetName: String,
                candidates: [Candidate] = []) {
        (self.proxies, self.combined, self.families, self.targetName) = (proxies, combined, families, targetName)
        self.candidates = candidates
    }

    /// The result of an image search with `settings` over `candidates`, against test accuracy.
    public init(settings: ArchitectureSearchSettings, candidates: [Candidate] = []) {
        self.init(proxies: settings.proxies, combined: settings.combined, families: settings.families.map(\.rawValue),
                  targetName: "accuracy", candidates: candidates)
    }

    /// The rank-combined score of each candidate (``RankCombination``) over ``combined``.
    public var combinedScores: [Double] {
        RankCombination.meanRanks(combined.map { proxy in candidates.map { $0.scores[proxy] ?? .nan } })
    }

    /// Each proxy's scores, then the combination's, by name, in the settings' order.
    public var namedScores: [(name: String, scores: [Double])] {
        proxies.map { proxy in (proxy.rawValue, candidates.map { $0.scores[proxy] ?? .nan }) }
            + (combined.isEmpty ? [] : [("combined", combinedScores)])
    }

    /// Kendall's τ and Spearman's ρ between each score and the trained performance over the
    /// candidates of `family` (all when nil); a NaN score ranks its candidate last, and the
    /// combination ranks among the candidates compared.
    public func correlations(within family: String? = nil) -> [Correlation] {
        let chosen = candidates.indices.filter { family == nil || candidates[$0].architecture.familyName == family }
        var subset = self
        subset.candidates = chosen.map { candidates[$0] }
        let target = Tensor(subset.candidates.map { Float($0.target) })
        return subset.namedScores.map { name, scores in
            let x = Tensor(RankCombination.rankable(scores))
            var kendall = KendallTau(), spearman = SpearmanCorrelation()
            kendall.update(x, targets: target)
            spearman.update(x, targets: target)
            return Correlation(name: name, kendall: kendall.compute(), spearman: spearman.compute())
        }
    }

    /// ``correlations(within:)`` over all candidates.
    public var correlations: [Correlation] { correlations() }

    /// A Markdown table of each score's Kendall τ and Spearman ρ against the target, with Kendall's
    /// τ within each family when several were sampled.
    public var table: String {
        let families = families.count > 1 ? families : []
        let within = families.map { correlations(within: $0) }
        let counts = families.map { f in candidates.filter { $0.architecture.familyName == f }.count }
        let header = ["proxy", "Kendall τ", "Spearman ρ"] + zip(families, counts).map { "τ within \($0) (\($1))" }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
        for (i, c) in correlations.enumerated() {
            let cells = [c.name, String(format: "%.3f", c.kendall), String(format: "%.3f", c.spearman)]
                + within.map { String(format: "%.3f", $0[i].kendall) }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per candidate: its architecture's choices, target, seconds and every score.
    public var csv: String {
        let named = namedScores
        let choices = candidates.first?.architecture.columns.map(\.name) ?? []
        var lines = [(choices + [targetName, "seconds"] + named.map(\.name)).joined(separator: ",")]
        for (i, c) in candidates.enumerated() {
            let fields = c.architecture.columns.map(\.value) + [String(format: "%.4f", c.target), String(format: "%.2f", c.seconds)]
            lines.append((fields + named.map { "\($0.scores[i])" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Trained performance against each score's rank among the candidates, one panel per score,
    /// with its Kendall τ in the panel's title.
    public var svg: String {
        let targets = candidates.map(\.target)
        let panels = zip(namedScores, correlations).map { named, correlation in
            let ranks = RankCombination.rankable(named.scores).withUnsafeBufferPointer(Ranks.average)
            return SVGPlot.Panel(title: String(format: "%@ (τ %.2f)", named.name, correlation.kendall),
                                 points: zip(ranks, targets).map { (x: $0, y: $1) })
        }
        return SVGPlot.scatterPanels(panels, title: "Trained \(targetName) against proxy rank (\(candidates.count) architectures)",
                                     xLabel: "rank of the proxy's score", yLabel: targetName)
    }
}
