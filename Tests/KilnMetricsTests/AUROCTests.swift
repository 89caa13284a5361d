import KilnMetrics
import Testing

@Suite struct AUROCTests {
    /// Exact one-vs-rest areas with average ranks for ties ("ties" draws scores from a palette
    /// of six rows), against scikit-learn's `roc_auc_score(multi_class="ovr")`.
    @Test(arguments: ["main", "ties"])
    func matchesScikitLearn(_ set: String) {
        let labels = MetricFixtures["\(set)_labels"]
        for (kind, outputs) in [(ScoreKind.probabilities, MetricFixtures["\(set)_probs"]), (.logits, MetricFixtures["\(set)_logits"])] {
            for average in Averaging.allCases {
                expectNear(streamed(AUROC(average: average, scores: kind), outputs, labels),
                           MetricFixtures.value("\(set)_auroc_\(average.rawValue)"), 1e-6, "\(kind) \(average)")
            }
            var auroc = AUROC(scores: kind)
            auroc.update(outputs, targets: labels)
            expectNear(auroc.perClass(), MetricFixtures.values("\(set)_auroc_per_class"), 1e-6, "\(kind) per class")
        }
    }

    @Test func perfectRankingScoresOneAndReversedZero() {
        let labels = Tensor([0, 1, 2, 1, 0, 2])
        let perfect = Tensor([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8,
                              0.1, 0.6, 0.3, 0.6, 0.2, 0.2, 0.3, 0.1, 0.6] as [Float], shape: [6, 3])
        let reversed = Tensor(perfect.scalars.map { 1 - $0 }, shape: [6, 3])
        for average in Averaging.allCases {
            var good = AUROC(average: average, scores: .probabilities), bad = good
            good.update(perfect, targets: labels)
            bad.update(reversed, targets: labels)
            #expect(good.compute() == 1 && bad.compute() == 0, "\(average)")
        }
    }

    @Test func allTiedScoresGiveOneHalf() {
        var auroc = AUROC(scores: .probabilities)
        auroc.update(Tensor(repeating: 0.5, shape: [4, 2]), targets: Tensor([0, 1, 1, 0]))
        #expect(auroc.compute() == 0.5)
    }

    @Test func classWithoutPositivesIsLeftOut() {
        var auroc = AUROC(scores: .probabilities)
        auroc.update(Tensor([0.9, 0.05, 0.05, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1] as [Float], shape: [3, 3]), targets: Tensor([0, 1, 0]))
        let areas = auroc.perClass()
        #expect(areas[0] == 1 && areas[1] == 1 && areas[2].isNaN)
        #expect(auroc.compute() == 1)
        auroc.reset()
        #expect(auroc.compute().isNaN)
    }
}
