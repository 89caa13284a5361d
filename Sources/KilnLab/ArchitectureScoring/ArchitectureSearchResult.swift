import Foundation
import Kiln
import KilnMetrics
import KilnTrain

/// The scored and trained candidates of an ``ArchitectureSearch``, with each proxy's rank
/// correlation to the trained accuracy.
public struct ArchitectureSearchResult: Sendable {
    /// One sampled architecture: its proxy scores at initialization and its accuracy after the brief training.
    public struct Candidate: Sendable {
        /// What was sampled.
        public var architecture: CandidateArchitecture
        /// Each proxy's score at initialization.
        public var scores: [ArchitectureProxy: Double]
        /// The test accuracy after the brief training.
        public var accuracy: Double
        /// Seconds spent computing every proxy.
        public var scoringSeconds: Double
        /// Seconds spent on the candidate in all (scoring, training, evaluation).
        public var seconds: Double

        /// A candidate with its scores, accuracy and timings.
        public init(architecture: CandidateArchitecture, scores: [ArchitectureProxy: Double], accuracy: Double,
                    scoringSeconds: Double = 0, seconds: Double = 0) {
            self.architecture = architecture
            self.scores = scores
            self.accuracy = accuracy
            self.scoringSeconds = scoringSeconds
            self.seconds = seconds
        }
    }

    /// How well one score ranks the candidates' accuracies.
    public struct Correlation: Sendable {
        /// The proxy's name, or `combined`.
        public var name: String
        /// Kendall's τ-b (ties corrected), as SciPy's `kendalltau`.
        public var kendall: Double
        /// Spearman's ρ (average ranks for ties), as SciPy's `spearmanr`.
        public var spearman: Double
    }

    /// The settings of the search.
    public let settings: ArchitectureSearchSettings
    /// Every candidate, in the order sampled.
    public var candidates: [Candidate]

    /// The result of a search with `settings` over `candidates`.
    public init(settings: ArchitectureSearchSettings, candidates: [Candidate] = []) {
        self.settings = settings
        self.candidates = candidates
    }

    /// The rank-combined score of each candidate (``RankCombination``) over ``ArchitectureSearchSettings/combined``.
    public var combinedScores: [Double] {
        RankCombination.meanRanks(settings.combined.map { proxy in candidates.map { $0.scores[proxy] ?? .nan } })
    }

    /// Each proxy's scores, then the combination's, by name, in the settings' order.
    public var namedScores: [(name: String, scores: [Double])] {
        settings.proxies.map { proxy in (proxy.rawValue, candidates.map { $0.scores[proxy] ?? .nan }) }
            + (settings.combined.isEmpty ? [] : [("combined", combinedScores)])
    }

    /// Kendall's τ and Spearman's ρ between each score and the trained accuracy over the
    /// candidates of `family` (all when nil); a NaN score ranks its candidate last, and the
    /// combination ranks among the candidates compared.
    public func correlations(within family: ArchitectureFamily? = nil) -> [Correlation] {
        let chosen = candidates.indices.filter { family == nil || candidates[$0].architecture.family == family }
        let subset = ArchitectureSearchResult(settings: settings, candidates: chosen.map { candidates[$0] })
        let accuracy = Tensor(subset.candidates.map { Float($0.accuracy) })
        return subset.namedScores.map { name, scores in
            let x = Tensor(RankCombination.rankable(scores))
            var kendall = KendallTau(), spearman = SpearmanCorrelation()
            kendall.update(x, targets: accuracy)
            spearman.update(x, targets: accuracy)
            return Correlation(name: name, kendall: kendall.compute(), spearman: spearman.compute())
        }
    }

    /// ``correlations(within:)`` over all candidates.
    public var correlations: [Correlation] { correlations() }

    /// A Markdown table of each score's Kendall τ and Spearman ρ against accuracy, with Kendall's
    /// τ within each family when several were sampled.
    public var table: String {
        let families = settings.families.count > 1 ? settings.families : []
        let within = families.map { correlations(within: $0) }
        let counts = families.map { f in candidates.filter { $0.architecture.family == f }.count }
        let header = ["proxy", "Kendall τ", "Spearman ρ"] + zip(families, counts).map { "τ within \($0) (\($1))" }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
        for (i, c) in correlations.enumerated() {
            let cells = [c.name, String(format: "%.3f", c.kendall), String(format: "%.3f", c.spearman)]
                + within.map { String(format: "%.3f", $0[i].kendall) }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per candidate: its architecture, accuracy, seconds and every score.
    public var csv: String {
        let named = namedScores
        var lines = [(["family", "depth", "width", "activation", "norm", "accuracy", "seconds"] + named.map(\.name)).joined(separator: ",")]
        for (i, c) in candidates.enumerated() {
            let a = c.architecture
            let fields = [a.family.rawValue, "\(a.depth)", "\(a.width)", a.activation.rawValue, a.norm.rawValue,
                          String(format: "%.4f", c.accuracy), String(format: "%.2f", c.seconds)]
            lines.append((fields + named.map { "\($0.scores[i])" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Trained accuracy against each score's rank among the candidates, one panel per score,
    /// with its Kendall τ in the panel's title.
    public var svg: String {
        let accuracies = candidates.map(\.accuracy)
        let panels = zip(namedScores, correlations).map { named, correlation in
            let ranks = RankCombination.rankable(named.scores).withUnsafeBufferPointer(Ranks.average)
            return SVGPlot.Panel(title: String(format: "%@ (τ %.2f)", named.name, correlation.kendall),
                                 points: zip(ranks, accuracies).map { (x: $0, y: $1) })
        }
        return SVGPlot.scatterPanels(panels, title: "Trained accuracy against proxy rank (\(candidates.count) architectures)",
                                     xLabel: "rank of the proxy's score", yLabel: "accuracy")
    }
}
