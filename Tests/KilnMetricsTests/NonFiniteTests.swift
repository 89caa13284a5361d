import Foundation
import KilnMetrics
import Testing

/// Metrics survive NaN and infinite model outputs: they report NaN, never trap.
@Suite struct NonFiniteTests {
    /// Three rows of logits over 3 classes; row 1 holds a NaN (the other rows are scored correctly).
    let scores = Tensor([2, 0, 0, .nan, 1, 0, 0, 0, 3] as [Float], shape: [3, 3])
    let labels = Tensor([0, 1, 2])
    /// The same rows with an infinite logit instead of the NaN.
    let infinite = Tensor([2, 0, 0, 0, .infinity, 0, 0, 0, 3] as [Float], shape: [3, 3])

    func value<M: Metric>(_ metric: M, _ outputs: Tensor, _ targets: Tensor) -> Double {
        var m = metric
        m.update(outputs, targets: targets)
        return m.compute()
    }

    @Test func classificationMetricsReportNaN() {
        let metrics: [any Metric] = [
            Accuracy(), TopKAccuracy(k: 2), F1Score(classes: 3), Precision(classes: 3, average: .micro),
            Recall(classes: 3, average: .weighted), CohenKappa(classes: 3), MatthewsCorrelation(classes: 3),
            ExpectedCalibrationError(), AUROC(), AUROC(average: .micro), LogLoss(),
        ]
        for metric in metrics {
            #expect(value(metric, scores, labels).isNaN, "\(metric.name) is not NaN on NaN scores")
        }
        // Without the NaN row each of them is a number.
        let clean = scores.indexSelect(axis: 0, indices: Tensor([0, 2])), cleanLabels = Tensor([0, 2])
        for metric in metrics where !(metric is AUROC) {
            #expect(value(metric, clean, cleanLabels).isFinite, "\(metric.name) is not finite on finite scores")
        }
    }

    @Test func aNaNRowIsCountedApartAndResetForgetsIt() {
        var matrix = ConfusionMatrix(classes: 3)
        matrix.update(scores, targets: labels)
        #expect(matrix.unscoredSamples == 1 && matrix.total == 2 && matrix[0, 0] == 1 && matrix[2, 2] == 1)
        #expect(matrix.accuracy.isNaN && matrix.f1(average: .macro).isNaN)
        matrix.reset()
        matrix.update(Tensor([0, 1, 2]), targets: labels)
        #expect(matrix.accuracy == 1)

        var accuracy = Accuracy()
        accuracy.update(scores, targets: labels)
        #expect(accuracy.unscored == 1 && accuracy.correct == 2 && accuracy.compute().isNaN)
        accuracy.reset()
        accuracy.update(scores.indexSelect(axis: 0, indices: Tensor([0, 2])), targets: Tensor([0, 2]))
        #expect(accuracy.compute() == 1)
    }

    @Test func infiniteLogitsGiveNaNProbabilities() {
        // softmax of a row with +∞ is ∞/∞: no confidence to bin, no rank to give.
        #expect(value(ExpectedCalibrationError(), infinite, labels).isNaN)
        #expect(value(AUROC(), infinite, labels).isNaN)
        #expect(value(LogLoss(), infinite, labels).isNaN)
        // An argmax of +∞ is still a prediction.
        #expect(value(Accuracy(), infinite, labels) == 1)
        // −∞ is an ordinary (impossible) logit: probability 0, clipped to ε by the log loss.
        let impossible = Tensor([-.infinity, 0] as [Float], shape: [1, 2])
        let expected = -log(Double(Float.ulpOfOne))
        #expect(abs(value(LogLoss(), impossible, Tensor([0])) - expected) <= 1e-12 * expected)
    }

    @Test func flipRateReportsNaN() {
        var flips = NegativeFlipRate()
        flips.update(old: scores, new: Tensor([0, 1, 2]), targets: labels)
        #expect(flips.unscored == 1 && flips.compute().isNaN)
    }

    @Test func regressionAndRankMetricsReportNaN() {
        let predictions = Tensor([1, .nan, 3, 4] as [Float]), targets = Tensor([1, 2, 3, 5] as [Float])
        let metrics: [any Metric] = [MeanSquaredError(), MeanAbsoluteError(), R2Score(), SpearmanCorrelation(), KendallTau()]
        for metric in metrics {
            #expect(value(metric, predictions, targets).isNaN, "\(metric.name) is not NaN on a NaN prediction")
            #expect(value(metric, targets, predictions).isNaN, "\(metric.name) is not NaN on a NaN target")
        }
    }
}
