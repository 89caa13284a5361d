import KilnMetrics
import Testing

@Suite struct AccuracyTests {
    @Test(arguments: ["main", "absent", "ties"])
    func accuracyMatchesScikitLearn(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        expectNear(streamed(Accuracy(), logits, labels), MetricFixtures.value("\(set)_accuracy"))
    }

    @Test(arguments: ["main", "absent", "ties"])
    func topKMatchesScikitLearnIncludingTies(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        for k in [2, 3] {
            expectNear(streamed(TopKAccuracy(k: k), logits, labels), MetricFixtures.value("\(set)_top\(k)"), 1e-6, "top-\(k)")
        }
    }

    @Test func predictedClassesCountLikeScores() {
        var accuracy = Accuracy()
        accuracy.update(Tensor([0, 2, 1, 1]), targets: Tensor([0, 1, 1, 1]))
        #expect(accuracy.compute() == 0.75)
        accuracy.update(Tensor([0.1, 0.9, 0.8, 0.2] as [Float], shape: [2, 2]), targets: Tensor([1, 1]))
        #expect(accuracy.correct == 4 && accuracy.total == 6)
        accuracy.reset()
        #expect(accuracy.compute().isNaN)
    }

    @Test func topOneIsAccuracy() {
        let logits = MetricFixtures["main_logits"], labels = MetricFixtures["main_labels"]
        #expect(streamed(TopKAccuracy(k: 1), logits, labels) == streamed(Accuracy(), logits, labels))
    }
}
