import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct DecoupledSoftmaxLossTests {
    let fixture = Fixtures.load("losses")

    /// The multi-hot mask of one class index per row.
    private func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        Tensor(labels.flatMap { label in (0..<classes).map { $0 == label } }, shape: [labels.count, classes])
    }

    @Test func equalsSoftmaxCrossEntropyWithOnePositivePerRow() {
        let logits = testTensor([6, 9], seed: 31, scale: 4)
        let labels = [0, 8, 3, 3, 5, 1]
        let mask = oneHot(labels, classes: 9)
        let expected = crossEntropy(logits: logits, labels: Tensor(labels, shape: [6]), reduction: .none)
        expectClose(decoupledSoftmaxLoss(logits: logits, targets: mask, reduction: .none).scalars, expected.scalars,
                    relative: 2e-6)
        let ours = gradient(at: logits) { decoupledSoftmaxLoss(logits: $0, targets: mask) }
        let reference = gradient(at: logits) { crossEntropy(logits: $0, labels: Tensor(labels, shape: [6])) }
        expectClose(ours.scalars, reference.scalars, relative: 2e-6)
    }

    @Test func matchesHandComputedMultiPositiveRows() {
        // Rows with 2, 3 and 1 positives, one without positives (0) and one without negatives (0).
        let (logits, mask) = (fixture["dexml_logits"]!, fixture["dexml_targets"]!)
        for targets in [mask, mask.cast(to: .float32)] {
            expectClose(decoupledSoftmaxLoss(logits: logits, targets: targets, reduction: .none).scalars,
                        fixture["dexml_none"]!.scalars, relative: 2e-6)
            expectClose(DecoupledSoftmaxLoss()(logits, targets).scalars, fixture["dexml_mean"]!.scalars, relative: 2e-6)
            let g = gradient(at: logits) { decoupledSoftmaxLoss(logits: $0, targets: targets) }
            expectClose(g.scalars, fixture["dexml_grad"]!.scalars, relative: 1e-5)
        }
        let sum = decoupledSoftmaxLoss(logits: logits, targets: mask, reduction: .sum).item
        expectClose([sum], [fixture["dexml_none"]!.scalars.reduce(0, +)], relative: 2e-6)
    }

    @Test func otherPositivesLeaveTheDenominator() {
        // Positives {0, 1} with s = (2, 2) and one negative s = 0: each costs log(1 + e^{−2}), where a
        // softmax over all three would give log(2 + e^{−2}) to each.
        let loss = decoupledSoftmaxLoss(logits: Tensor([2, 2, 0] as [Float], shape: [1, 3]),
                                        targets: Tensor([true, true, false], shape: [1, 3]))
        expectClose(loss.scalars, [Float(Foundation.log(1 + Foundation.exp(-2.0)))], relative: 1e-6)
    }

    @Test func gradientChecks() {
        let mask = Tensor([true, false, true, false, false,
                           false, false, false, true, false,
                           true, true, true, false, true,
                           false, false, false, false, false], shape: [4, 5])
        checkGradients([testTensor([4, 5], seed: 32, scale: 2)]) {
            decoupledSoftmaxLoss(logits: $0[0], targets: mask, reduction: .none)
        }
    }

    @Test func stableAtLogitsOfTenThousand() {
        // Row 0: positives 1e4 and 1e4 against negatives −1e4 and 0 cost softplus(−1e4) = 0 each.
        // Row 1: the positive −1e4 against 1e4, 0, 1e4 costs 1e4 + log 2 − (−1e4).
        let logits = Tensor([1e4, -1e4, 0, 1e4,
                             1e4, -1e4, 0, 1e4] as [Float], shape: [2, 4])
        let mask = Tensor([true, false, false, true,
                           false, true, false, false], shape: [2, 4])
        let losses = decoupledSoftmaxLoss(logits: logits, targets: mask, reduction: .none)
        expectClose(losses.scalars, [0, 2e4 + Float(Foundation.log(2.0))], relative: 1e-6)
        // Row 1's gradient: −1 on the positive, ½ on each 1e4 negative, e^{−1e4}/2 = 0 on the 0. The
        // halves are e^{1e4 − (1e4 + log 2)} with 1e4 + log 2 rounded to float32 (an ulp of 1e-3 there),
        // as in PyTorch's log-sum-exp backward: exact to 1e-3 relative, not better.
        let g = gradient(at: logits) { decoupledSoftmaxLoss(logits: $0, targets: mask, reduction: .sum) }
        expectClose(g.scalars, [0, 0, 0, 0, 0.5, -1, 0, 0.5], relative: 1e-3)
    }
}
