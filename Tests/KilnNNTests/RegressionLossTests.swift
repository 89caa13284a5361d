import KilnNN
import KilnTestSupport
import Testing

@Suite struct RegressionLossTests {
    let fixture = Fixtures.load("losses")

    /// Checks all three reductions and the gradients of the mean against PyTorch.
    func expectMatchesPyTorch(_ prefix: String, _ loss: (Tensor, Tensor, LossReduction) -> Tensor,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let (x, y) = (fixture["reg_input"]!, fixture["reg_target"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(loss(x, y, reduction).scalars, fixture["\(prefix)_\(name)"]!.scalars, sourceLocation: sourceLocation)
        }
        let (_, grads) = valueAndGradient(at: [x, y]) { loss($0[0], $0[1], .mean) }
        expectClose(grads[0].scalars, fixture["\(prefix)_grad0"]!.scalars, sourceLocation: sourceLocation)
        expectClose(grads[1].scalars, fixture["\(prefix)_grad1"]!.scalars, sourceLocation: sourceLocation)
    }

    @Test func matchPyTorch() {
        expectMatchesPyTorch("mse") { mseLoss($0, $1, reduction: $2) }
        expectMatchesPyTorch("l1") { l1Loss($0, $1, reduction: $2) }
        expectMatchesPyTorch("huber") { huberLoss($0, $1, delta: 0.7, reduction: $2) }
        expectMatchesPyTorch("smooth_l1") { smoothL1Loss($0, $1, beta: 0.5, reduction: $2) }
    }

    @Test func closedForms() {
        let x = Tensor([0, 0.5, -3, 2] as [Float]), y = Tensor(zeros: [4])
        // Huber δ = 1: ½d² inside, |d| − ½ outside; smooth L1 β = 2 is Huber(δ = 2) / 2; β = 0 is L1.
        expectClose(huberLoss(x, y, reduction: .none).scalars, [0, 0.125, 2.5, 1.5])
        expectClose(smoothL1Loss(x, y, beta: 2, reduction: .none).scalars, [0, 0.0625, 2, 1])
        expectClose(smoothL1Loss(x, y, beta: 0, reduction: .none).scalars, [0, 0.5, 3, 2])
        expectClose(MSELoss(reduction: .sum)(x, y).scalars, [13.25])
        expectClose(L1Loss()(x, y).scalars, [1.375])
        expectClose(HuberLoss(delta: 1, reduction: .sum)(x, y).scalars, [4.125])
        expectClose(SmoothL1Loss(beta: 2, reduction: .mean)(x, y).scalars, [3.0625 / 4])
        expectClose(LossReduction.batchMean.apply(to: Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])).scalars, [5])
    }

    @Test func gradientsCheck() {
        let x = testTensor([3, 4], seed: 3, scale: 2), y = testTensor([3, 4], seed: 4)
        checkGradients([x, y]) { mseLoss($0[0], $0[1], reduction: .none) }
        checkGradients([x, y]) { huberLoss($0[0], $0[1], delta: 0.6, reduction: .sum) }
        checkGradients([x, y]) { smoothL1Loss($0[0], $0[1], beta: 0.4) }
        checkGradients([x, y]) { l1Loss($0[0], $0[1]) }
    }
}
