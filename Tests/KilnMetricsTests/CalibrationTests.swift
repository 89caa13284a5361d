import Foundation
import KilnMetrics
import Testing

@Suite struct CalibrationTests {
    @Test(arguments: ["main", "absent", "ties"])
    func eceAndReliabilityDiagramMatchReference(_ set: String) {
        let probabilities = MetricFixtures["\(set)_probs"], labels = MetricFixtures["\(set)_labels"]
        var ece = ExpectedCalibrationError(scores: .probabilities)
        expectNear(streamed(ece, probabilities, labels), MetricFixtures.value("\(set)_ece"), 1e-6, "ECE")
        ece.update(probabilities, targets: labels)
        let bins = ece.reliabilityDiagram.bins
        #expect(bins.count == 15 && bins[0].lower == 0 && bins[14].upper == 1)
        #expect(bins.map(\.count) == MetricFixtures["\(set)_bin_count"].integers)
        expectNear(bins.map(\.confidence), MetricFixtures.values("\(set)_bin_confidence"), 1e-6, "confidence")
        expectNear(bins.map(\.accuracy), MetricFixtures.values("\(set)_bin_accuracy"), 1e-6, "accuracy")
    }

    /// Logits go through a softmax first; the "ties" set puts confidences exactly on bin edges,
    /// where the two roundings of the softmax may disagree, so it is checked from probabilities only.
    @Test(arguments: ["main", "absent"])
    func eceFromLogitsMatchesProbabilities(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        expectNear(streamed(ExpectedCalibrationError(), logits, labels), MetricFixtures.value("\(set)_ece"), 1e-6, "ECE")
    }

    @Test func oneConfidentCorrectSampleIsCalibrated() {
        var ece = ExpectedCalibrationError(bins: 10, scores: .probabilities)
        ece.update(Tensor([0, 1] as [Float], shape: [1, 2]), targets: Tensor([1]))
        #expect(ece.compute() == 0)
        // Two more samples at confidence c = 0.7 (bin 6), one of them right: the bin is off by
        // |1 − 2c| over 3 samples in all.
        ece.update(Tensor([0.7, 0.3, 0.3, 0.7] as [Float], shape: [2, 2]), targets: Tensor([0, 0]))
        let c = Double(Float(0.7))
        expectNear(ece.compute(), abs(1 - 2 * c) / 3, 1e-12)
        #expect(ece.reliabilityDiagram.bins[6].count == 2 && ece.reliabilityDiagram.bins[9].count == 1)
    }

    @Test(arguments: ["main", "absent", "ties"])
    func logLossMatchesScikitLearn(_ set: String) {
        let labels = MetricFixtures["\(set)_labels"]
        let expected = MetricFixtures.value("\(set)_log_loss")
        // scikit-learn computes float32 probabilities in float32.
        expectNear(streamed(LogLoss(scores: .probabilities), MetricFixtures["\(set)_probs"], labels), expected, 1e-5, "from probabilities")
        expectNear(streamed(LogLoss(), MetricFixtures["\(set)_logits"], labels), expected, 1e-5, "from logits")
    }

    @Test func logLossClipsConfidentMistakes() {
        var loss = LogLoss()
        loss.update(Tensor([0, 200] as [Float], shape: [1, 2]), targets: Tensor([0]))
        expectNear(loss.compute(), -log(Double(Float.ulpOfOne)), 1e-12)
        var uniform = LogLoss(scores: .probabilities)
        uniform.update(Tensor([0.25, 0.25, 0.25, 0.25] as [Float], shape: [1, 4]), targets: Tensor([2]))
        expectNear(uniform.compute(), log(4.0), 1e-12)
    }
}
