import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct BinaryCrossEntropyLossTests {
    let fixture = Fixtures.load("losses")

    @Test func matchesPyTorchWithAndWithoutWeights() {
        let (x, y) = (fixture["bce_logits"]!, fixture["bce_targets"]!)
        let (w, pw) = (fixture["bce_weight"]!, fixture["bce_pos_weight"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(binaryCrossEntropyWithLogits(x, y, reduction: reduction).scalars, fixture["bce_\(name)"]!.scalars)
            let weighted = BCEWithLogitsLoss(weight: w, positiveWeight: pw, reduction: reduction)
            expectClose(weighted(x, y).scalars, fixture["bce_weighted_\(name)"]!.scalars)
        }
        let (_, plain) = valueAndGradient(at: [x, y]) { binaryCrossEntropyWithLogits($0[0], $0[1]) }
        expectClose(plain[0].scalars, fixture["bce_grad0"]!.scalars)
        expectClose(plain[1].scalars, fixture["bce_grad1"]!.scalars)
        let (_, weighted) = valueAndGradient(at: [x, y]) {
            binaryCrossEntropyWithLogits($0[0], $0[1], weight: w, positiveWeight: pw)
        }
        expectClose(weighted[0].scalars, fixture["bce_weighted_grad0"]!.scalars)
        expectClose(weighted[1].scalars, fixture["bce_weighted_grad1"]!.scalars)
    }

    @Test func stableAtExtremeLogits() {
        // y = 1 at x = 100 costs log(1 + e^-100) ≈ 0; y = 0 at x = 100 costs 100; no overflow at ±1000.
        let x = Tensor([100, 100, -1000, 1000] as [Float]), y = Tensor([1, 0, 1, 1] as [Float])
        expectClose(binaryCrossEntropyWithLogits(x, y, reduction: .none).scalars, [0, 100, 1000, 0])
    }

    @Test func sigmoidFocalLossMatchesTorchvisionFormula() {
        let (x, y) = (fixture["sfocal_logits"]!, fixture["sfocal_targets"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(sigmoidFocalLoss(logits: x, targets: y, reduction: reduction).scalars, fixture["sfocal_\(name)"]!.scalars)
            expectClose(sigmoidFocalLoss(logits: x, targets: y, alpha: nil, gamma: 1.5, reduction: reduction).scalars,
                        fixture["sfocal_noalpha_\(name)"]!.scalars)
        }
        let g = gradient(at: x) { sigmoidFocalLoss(logits: $0, targets: y, reduction: .mean) }
        expectClose(g.scalars, fixture["sfocal_grad0"]!.scalars)
        let g2 = gradient(at: x) { sigmoidFocalLoss(logits: $0, targets: y, alpha: nil, gamma: 1.5, reduction: .mean) }
        expectClose(g2.scalars, fixture["sfocal_noalpha_grad0"]!.scalars)
    }

    @Test func onProbabilitiesMatchesPyTorch() {
        let (p, y, w) = (fixture["bcep_probs"]!, fixture["bcep_targets"]!, fixture["bce_weight"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(binaryCrossEntropy(probabilities: p, targets: y, reduction: reduction).scalars,
                        fixture["bcep_\(name)"]!.scalars)
            expectClose(BCELoss(weight: w, reduction: reduction)(p, y).scalars, fixture["bcep_weighted_\(name)"]!.scalars)
        }
        for (weight, name) in [(nil, "bcep"), (w, "bcep_weighted")] {
            let (_, grads) = valueAndGradient(at: [p, y]) { binaryCrossEntropy(probabilities: $0[0], targets: $0[1], weight: weight) }
            expectClose(grads[0].scalars, fixture["\(name)_grad0"]!.scalars)
            expectClose(grads[1].scalars, fixture["\(name)_grad1"]!.scalars)
        }
    }

    @Test func onProbabilitiesClampsTheLogarithmsAtZeroAndOne() {
        // p = 0 or 1 against the wrong target costs 100; the gradient is PyTorch's (p − y)/max(p(1 − p), 1e-12).
        let (p, y) = (fixture["bcep_edge_probs"]!, fixture["bcep_edge_targets"]!)
        let losses = binaryCrossEntropy(probabilities: p, targets: y, reduction: .none)
        expectClose(losses.scalars, fixture["bcep_edge_none"]!.scalars)
        #expect(Array(losses.scalars[0..<4]) == [0, 100, 100, 0])
        expectClose(gradient(at: p) { binaryCrossEntropy(probabilities: $0, targets: y) }.scalars,
                    fixture["bcep_edge_grad0"]!.scalars)
        // The targets' gradient log(1 − p) − log p takes the clamped logarithms: ±100, not PyTorch's ±inf.
        let dy = gradient(at: y) { binaryCrossEntropy(probabilities: p, targets: $0, reduction: .sum) }
        #expect(Array(dy.scalars[0..<4]) == [100, 100, -100, -100])
    }

    @Test func gradientsCheck() {
        let x = testTensor([3, 4], seed: 5, scale: 3), y = testTensor([3, 4], seed: 6, scale: 0.5, shift: 0.5)
        let pw = Tensor([0.5, 1, 2, 3] as [Float]), w = testTensor([3, 4], seed: 7, scale: 0.4, shift: 1)
        checkGradients([x, y]) { binaryCrossEntropyWithLogits($0[0], $0[1], weight: w, positiveWeight: pw, reduction: .none) }
        checkGradients([x]) { sigmoidFocalLoss(logits: $0[0], targets: y) }
        let p = testTensor([3, 4], seed: 8, scale: 0.4, shift: 0.5)
        checkGradients([p, y], eps: 1e-3) {
            binaryCrossEntropy(probabilities: $0[0], targets: $0[1], weight: w, reduction: .none)
        }
    }
}
