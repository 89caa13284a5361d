import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct MetricLossTests {
    let probabilities: [Float] = [0.9, 0.55, 0.3, 0.62, 0.45, 0.1, 0.7, 0.5]
    let targets: [Float] = [1, 1, 0, 0, 1, 0, 1, 0]

    /// The soft counts in Double, straight from the paper's definitions.
    func referenceCounts(amplification l: Double) -> (tp: Double, fn: Double, fp: Double, tn: Double) {
        var c = (tp: 0.0, fn: 0.0, fp: 0.0, tn: 0.0)
        for (p, y) in zip(probabilities, targets) {
            let a = 1 / (1 + Foundation.exp(-l * (Double(p) - 0.5)))
            if y == 1 { c.tp += a; c.fn += 1 - a } else { c.fp += a; c.tn += 1 - a }
        }
        return c
    }

    @Test func approximationFunctionHasThePapersValues() {
        let a = amplified(Tensor([0.5, 0.6, 0.4] as [Float])).scalars
        #expect(abs(a[0] - 0.5) < 1e-6)
        #expect(abs(a[1] - 0.999325) < 1e-6)
        #expect(abs(a[2] - 0.000675) < 1e-6)
    }

    @Test func softCountsSplitTheLabels() {
        let y = Tensor(targets)
        let counts = SoftConfusion(probabilities: Tensor(probabilities), targets: y)
        expectClose([(counts.truePositives + counts.falseNegatives).item], [y.sum().item])
        expectClose([(counts.falsePositives + counts.trueNegatives).item], [(1 - y).sum().item])
        let c = referenceCounts(amplification: 73)
        expectClose([counts.truePositives.item, counts.falseNegatives.item, counts.falsePositives.item, counts.trueNegatives.item],
                    [Float(c.tp), Float(c.fn), Float(c.fp), Float(c.tn)], relative: 1e-5, absolute: 1e-6)
    }

    @Test func lossesAreOneMinusTheMetricOfTheSoftCounts() {
        let l = 4.0
        let c = referenceCounts(amplification: l)
        let tpr = c.tp / (c.tp + c.fn), tnr = c.tn / (c.tn + c.fp)
        let beta2 = 0.25
        let expected: [(ConfusionMetric, Double)] = [
            (.accuracy, (c.tp + c.tn) / 8),
            (.f1, 2 * c.tp / (2 * c.tp + c.fn + c.fp)),
            (.fBeta(0.5), (1 + beta2) * c.tp / ((1 + beta2) * c.tp + beta2 * c.fn + c.fp)),
            (.balancedAccuracy, (tpr + tnr) / 2),
            (.geometricMean, (tpr * tnr).squareRoot()),
            (.matthewsCorrelation, (c.tp * c.tn - c.fp * c.fn) / ((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn)).squareRoot()),
        ]
        for (metric, value) in expected {
            let loss = anyLoss(probabilities: Tensor(probabilities), targets: Tensor(targets), metric: metric, amplification: Float(l))
            expectClose(Double(loss.item), 1 - value, relative: 1e-5, absolute: 1e-6)
        }
    }

    @Test func confidentCorrectPredictionsLoseNothing() {
        let p = Tensor([0.99, 0.02, 0.97, 0.01] as [Float]), y = Tensor([1, 0, 1, 0] as [Float])
        for metric in [ConfusionMetric.accuracy, .f1, .fBeta(2), .balancedAccuracy, .geometricMean, .matthewsCorrelation] {
            #expect(abs(anyLoss(probabilities: p, targets: y, metric: metric).item) < 1e-5, "\(metric)")
        }
        // All wrong: accuracy and F1 are 0, MCC is −1.
        let wrong = 1 - p
        #expect(abs(anyLoss(probabilities: wrong, targets: y, metric: .f1).item - 1) < 1e-5)
        #expect(abs(anyLoss(probabilities: wrong, targets: y, metric: .matthewsCorrelation).item - 2) < 1e-5)
    }

    @Test func oneVsRestAveragesTheClassMetrics() {
        let logits = testTensor([6, 3], seed: 4, scale: 2)
        let labels = Tensor([0, 2, 1, 2, 0, 1] as [Int])
        let p = logits.softmax(axis: 1), y = labels.oneHot(classes: 3)
        let perClass = (0..<3).map {
            1 - anyLoss(probabilities: p.select(axis: 1, $0), targets: y.select(axis: 1, $0), metric: .f1, amplification: 10).item
        }
        let loss = anyLoss(logits: logits, labels: labels, metric: .f1, amplification: 10)
        expectClose([loss.item], [1 - perClass.reduce(0, +) / 3])
    }

    @Test func twoClassesAreTheBinaryLossOfClassOne() {
        let logits = testTensor([5, 2], seed: 8, scale: 1.5)
        let labels = Tensor([1, 0, 0, 1, 1] as [Int])
        let p = (logits.select(axis: 1, 1) - logits.select(axis: 1, 0)).sigmoid()
        let binary = anyLoss(probabilities: p, targets: Tensor([1, 0, 0, 1, 1] as [Float]), metric: .f1, amplification: 6)
        expectClose([anyLoss(logits: logits, labels: labels, metric: .f1, amplification: 6).item], [binary.item])
    }

    @Test func gradientsMatchFiniteDifferences() {
        let p = testTensor([8], seed: 3, scale: 0.3, shift: 0.5), y = Tensor(targets)
        for metric in [ConfusionMetric.accuracy, .f1, .fBeta(2), .balancedAccuracy, .geometricMean, .matthewsCorrelation] {
            checkGradients([p], eps: 1e-3) { anyLoss(probabilities: $0[0], targets: y, metric: metric, amplification: 5) }
        }
        let labels = Tensor([0, 2, 1, 2, 0, 1] as [Int])
        checkGradients([testTensor([6, 3], seed: 5)], eps: 1e-3) {
            anyLoss(logits: $0[0], labels: labels, metric: .matthewsCorrelation, amplification: 8)
        }
        checkGradients([testTensor([5, 2], seed: 6)], eps: 1e-3) {
            anyLoss(logits: $0[0], labels: Tensor([1, 0, 0, 1, 1] as [Int]), metric: .f1, amplification: 8)
        }
    }
}
