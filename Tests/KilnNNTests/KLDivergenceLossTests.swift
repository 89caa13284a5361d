import KilnNN
import KilnTestSupport
import Testing

@Suite struct KLDivergenceLossTests {
    let fixture = Fixtures.load("losses")

    @Test func matchesPyTorchForEveryReduction() {
        let (x, t, logT) = (fixture["kl_input"]!, fixture["kl_target"]!, fixture["kl_log_target"]!)
        for (reduction, name) in [(LossReduction.none, "none"), (.mean, "mean"), (.sum, "sum"), (.batchMean, "batchmean")] {
            expectClose(klDivergence(x, t, reduction: reduction).scalars, fixture["kl_\(name)"]!.scalars)
            expectClose(KLDivLoss(reduction: reduction, logTarget: true)(x, logT).scalars, fixture["kl_log_\(name)"]!.scalars)
        }
        expectClose(gradient(at: x) { klDivergence($0, t, reduction: .batchMean) }.scalars, fixture["kl_grad_input"]!.scalars)
        let (_, grads) = valueAndGradient(at: [x, logT]) { klDivergence($0[0], $0[1], logTarget: true, reduction: .batchMean) }
        expectClose(grads[0].scalars, fixture["kl_log_grad_input"]!.scalars)
        expectClose(grads[1].scalars, fixture["kl_log_grad_target"]!.scalars)
    }

    @Test func zeroForEqualDistributions() {
        let p = Tensor([0.25, 0.75, 0, 1] as [Float], shape: [2, 2])
        let logP = Tensor([0.25, 0.75, 0.5, 0.5] as [Float], shape: [2, 2]).log()
        #expect(klDivergence(logP, logP.exp(), reduction: .sum).item == 0)
        #expect(abs(klDivergence(logP, logP, logTarget: true, reduction: .sum).item) < 1e-7)
        #expect(klDivergence(Tensor([-1, -2, -3, -4] as [Float], shape: [2, 2]), p, reduction: .none).scalars[2] == 0)
    }

    @Test func gradientsCheck() {
        let x = testTensor([3, 4], seed: 8), t = testTensor([3, 4], seed: 9, scale: 0.4, shift: 0.5)
        checkGradients([x, t]) { klDivergence($0[0], $0[1], reduction: .none) }
        checkGradients([x, t]) { klDivergence($0[0], $0[1], logTarget: true, reduction: .batchMean) }
    }
}
