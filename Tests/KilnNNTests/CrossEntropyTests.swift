import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct CrossEntropyTests {
    static let options = ["plain", "weighted", "smoothed", "weighted_smoothed"]
    static let reductions: [(String, LossReduction)] = [("none", .none), ("mean", .mean), ("sum", .sum)]

    /// Runs `loss` on the fixture logits and compares the value and the gradient (against the fixture's cotangent).
    private func expectMatches(_ key: String, logits: Tensor, sourceLocation: SourceLocation = #_sourceLocation,
                               _ loss: (Tensor) -> Tensor) {
        let f = Fixtures.load("cross_entropy")
        let leaf = logits.requiringGradient()
        let value = loss(leaf)
        expectClose(value.scalars, f[key]!.scalars, relative: 1e-5, sourceLocation: sourceLocation)
        value.backward(value.count == 1 ? nil : f[key + "_cot"]!)
        expectClose(leaf.grad!.scalars, f[key + "_grad"]!.scalars, relative: 1e-5, sourceLocation: sourceLocation)
    }

    @Test(arguments: options)
    func classIndicesMatchPyTorch(option: String) {
        let f = Fixtures.load("cross_entropy")
        let weights = option.contains("weighted") ? f["weights"] : nil
        let smoothing: Float = option == "smoothed" ? 0.1 : option == "weighted_smoothed" ? 0.2 : 0
        for (name, reduction) in Self.reductions {
            expectMatches("ce_\(option)_\(name)", logits: f["logits"]!) {
                crossEntropy(logits: $0, labels: f["labels"]!, classWeights: weights, labelSmoothing: smoothing, reduction: reduction)
            }
            expectMatches("ce_probs_\(option)_\(name)", logits: f["logits"]!) {
                crossEntropy(logits: $0, labels: f["probs"]!, classWeights: weights, labelSmoothing: smoothing, reduction: reduction)
            }
        }
    }

    @Test func nllLossMatchesPyTorch() {
        let f = Fixtures.load("cross_entropy")
        for option in ["plain", "weighted"] {
            for (name, reduction) in Self.reductions where name != "sum" {
                expectMatches("nll_\(option)_\(name)", logits: f["logits"]!) {
                    nllLoss(logProbabilities: $0.logSoftmax(axis: 1), labels: f["labels"]!,
                            classWeights: option == "weighted" ? f["weights"] : nil, reduction: reduction)
                }
            }
        }
    }

    @Test func sampleWeightsScaleEachSampleKeepingTheMeanDenominator() {
        let f = Fixtures.load("cross_entropy")
        expectMatches("ce_sample_weighted_mean", logits: f["logits"]!) {
            crossEntropy(logits: $0, labels: f["labels"]!, classWeights: f["weights"], sampleWeights: f["sample_weights"],
                         labelSmoothing: 0.1)
        }
        // Weights of one are the plain loss.
        let plain = crossEntropy(logits: f["logits"]!, labels: f["labels"]!)
        let ones = crossEntropy(logits: f["logits"]!, labels: f["labels"]!, sampleWeights: Tensor(ones: [6]))
        #expect(plain.item == ones.item)
    }

    @Test func spatialLogitsMatchPyTorch() {
        let f = Fixtures.load("cross_entropy")
        expectMatches("ce_kd_mean", logits: f["kd_logits"]!) {
            crossEntropy(logits: $0, labels: f["kd_labels"]!, labelSmoothing: 0.05)
        }
        expectMatches("ce_kd_none", logits: f["kd_logits"]!) {
            crossEntropy(logits: $0, labels: f["kd_labels"]!, reduction: .none)
        }
    }

    @Test func moduleAndGradientCheck() {
        let logits = testTensor([4, 6], seed: 9, scale: 3)
        let labels = Tensor([5, 0, -100, 2])
        let weights = testTensor([6], seed: 2, scale: 0.4, shift: 1)
        let loss = CrossEntropyLoss(classWeights: weights, labelSmoothing: 0.15)
        #expect(loss(logits, labels).item == crossEntropy(logits: logits, labels: labels, classWeights: weights, labelSmoothing: 0.15).item)
        checkGradients([logits]) { loss($0[0], labels) }
        let probs = testTensor([4, 6], seed: 3, scale: 0.5, shift: 0.5)
        checkGradients([logits]) { crossEntropy(logits: $0[0], labels: probs, labelSmoothing: 0.1, reduction: .sum) }
        // A single sample: [C] logits and a rank-0 label; -log softmax closed form.
        let one = Tensor([0, Float(Foundation.log(3.0))])
        #expect(abs(crossEntropy(logits: one, labels: Tensor([1], shape: [])).item - Float(Foundation.log(4.0 / 3.0))) < 1e-6)
    }

    @Test func hugeLogitsStayFinite() {
        let logits = Tensor([1e4, -1e4, 0, -1e4, 1e4, 1e4] as [Float], shape: [2, 3])
        let leaf = logits.requiringGradient()
        let loss = crossEntropy(logits: leaf, labels: Tensor([1, 1]), reduction: .none)
        // Row 0: lse = 1e4, loss = 2e4. Row 1: lse = 1e4 + log 2, loss = log 2.
        expectClose(loss.scalars, [2e4, Float(Foundation.log(2.0))], relative: 1e-6)
        loss.sum().backward()
        expectClose(leaf.grad!.scalars, [1, -1, 0, 0, -0.5, 0.5], relative: 1e-6)
    }
}
