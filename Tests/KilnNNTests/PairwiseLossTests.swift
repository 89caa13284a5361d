import KilnNN
import KilnTestSupport
import Testing

@Suite struct PairwiseLossTests {
    let fixture = Fixtures.load("losses")

    @Test func marginRankingLossMatchesPyTorch() {
        let (x1, x2, y) = (fixture["mrl_x1"]!, fixture["mrl_x2"]!, fixture["mrl_y"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(MarginRankingLoss(margin: 0.3, reduction: reduction)(x1, x2, y).scalars, fixture["mrl_\(name)"]!.scalars)
        }
        let (_, grads) = valueAndGradient(at: [x1, x2, y]) { marginRankingLoss($0[0], $0[1], $0[2], margin: 0.3) }
        for k in 0..<3 { expectClose(grads[k].scalars, fixture["mrl_grad\(k)"]!.scalars) }
    }

    @Test func marginRankingLossClosedForm() {
        // y = 1 wants x₁ ≥ x₂ + margin: 0 when met, the shortfall otherwise; y = −1 the mirror image.
        let x1 = Tensor([3, 1, 1, 3] as [Float]), x2 = Tensor([1, 3, 1.5, 1] as [Float])
        let y = Tensor([1, 1, -1, -1] as [Float])
        expectClose(marginRankingLoss(x1, x2, y, margin: 1, reduction: .none).scalars, [0, 3, 0.5, 3])
    }

    @Test func cosineEmbeddingLossMatchesPyTorch() {
        // Rows: similar pairs, dissimilar ones on both sides of the margin, and a zero embedding (cosine 0).
        let (x1, x2, y) = (fixture["cel_x1"]!, fixture["cel_x2"]!, fixture["cel_y"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum")] {
            expectClose(CosineEmbeddingLoss(margin: 0.2, reduction: reduction)(x1, x2, y).scalars, fixture["cel_\(name)"]!.scalars)
        }
        let (_, grads) = valueAndGradient(at: [x1, x2]) { cosineEmbeddingLoss($0[0], $0[1], y, margin: 0.2) }
        expectClose(grads[0].scalars, fixture["cel_grad0"]!.scalars)
        expectClose(grads[1].scalars, fixture["cel_grad1"]!.scalars)
    }

    @Test func cosineEmbeddingLossClosedForm() {
        // One pair of [D] vectors at 60°: cos = ½, so 1 − ½ when similar and ½ − margin when not.
        let a = Tensor([2, 0] as [Float]), b = Tensor([1, 1.7320508] as [Float])
        expectClose(cosineEmbeddingLoss(a, b, Tensor(1)).scalars, [0.5], relative: 1e-6)
        expectClose(cosineEmbeddingLoss(a, b, Tensor(-1), margin: 0.1).scalars, [0.4], relative: 1e-6)
        expectClose(cosineEmbeddingLoss(a, b, Tensor(-1), margin: 0.7).scalars, [0])
    }

    @Test func gradientsCheck() {
        let x1 = testTensor([6], seed: 41), x2 = testTensor([6], seed: 42)
        let y = Tensor([1, -1, 1, -1, 1, -1] as [Float])
        checkGradients([x1, x2, y]) { marginRankingLoss($0[0], $0[1], $0[2], margin: 0.1, reduction: .none) }
        let a = testTensor([4, 3], seed: 43), b = testTensor([4, 3], seed: 44)
        checkGradients([a, b]) {
            cosineEmbeddingLoss($0[0], $0[1], Tensor([1, -1, 1, -1] as [Float]), margin: -0.5, reduction: .none)
        }
    }
}
