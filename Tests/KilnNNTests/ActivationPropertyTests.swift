import Foundation
import KilnNN
import KilnTestSupport
import Testing

/// Properties the papers state, and closed forms.
@Suite struct ActivationPropertyTests {
    private func norm(_ t: Tensor) -> Float { (t * t).sum().item.squareRoot() }

    @Test(arguments: [2, 3, 4])
    func groupSortIsOneLipschitzAndKeepsSumAndNorm(groupSize: Int) {
        for seed in UInt64(1)...20 {
            let x = testTensor([3, 12], seed: seed, scale: 3), y = testTensor([3, 12], seed: seed + 100, scale: 3)
            let fx = groupSort(x, groupSize: groupSize), fy = groupSort(y, groupSize: groupSize)
            #expect(norm(fx - fy) <= norm(x - y) * (1 + 1e-6))
            #expect(abs(fx.sum().item - x.sum().item) <= 1e-4)
            #expect(abs(norm(fx) - norm(x)) <= 1e-5 * norm(x))
        }
    }

    @Test func maxMinOrdersEachPairLargestFirst() {
        let x = Tensor([1, 5, -2, -7, 3, 3] as [Float], shape: [1, 6])
        #expect(maxMin(x).scalars == [5, 1, -2, -7, 3, 3])
        #expect(MaxMin()(x).scalars == groupSort(x, groupSize: 2).scalars)
        #expect(groupSort(Tensor([2, 9, 4] as [Float]), groupSize: 3).scalars == [9, 4, 2])
        // Each value's gradient follows it back to its source position.
        let g = gradient(at: x) { (maxMin($0) * Tensor([1, 2, 3, 4, 5, 6] as [Float])).sum() }
        #expect(g.scalars == [2, 1, 3, 4, 5, 6])
    }

    @Test func polyNormIsInvariantToPositiveScaling() {
        let x = testTensor([4, 16], seed: 3, scale: 2)
        let w = Tensor([0.5, -0.2, 0.9] as [Float]), b = Tensor([0.3] as [Float])
        let base = polyNorm(x, weight: w, bias: b, eps: 1e-20)
        for c: Float in [0.01, 0.5, 3, 40] {
            expectClose(polyNorm(x * c, weight: w, bias: b, eps: 1e-20).scalars, base.scalars, relative: 1e-5)
        }
        // Each N(y) has unit root mean square over the last dimension, so with b = 0 and one
        // coefficient set the output does too.
        let cube = polyNorm(x, weight: Tensor([1, 0, 0] as [Float]), bias: Tensor([0] as [Float]), eps: 0)
        expectClose((cube * cube).mean(axis: -1).scalars, [1, 1, 1, 1], relative: 1e-5)
    }

    @Test func crreluWithZeroEpsilonIsReLU() {
        let x = testTensor([50], seed: 4, scale: 4)
        #expect(crrelu(x, epsilon: Tensor([0] as [Float])).scalars == relu(x).scalars)
        // ε·x·e^{−x²/2} at x = 1 with ε = 0.5: 1 + 0.5·e^{−1/2}.
        expectClose(crrelu(Tensor([1] as [Float]), epsilon: Tensor([0.5] as [Float])).scalars, [1 + 0.5 * 0.60653066])
    }

    @Test func polyReLUIsTheBiasForNonPositiveInputs() {
        let x = testTensor([40], seed: 5, scale: 3, shift: -3)   // in [-6, 0)
        let y = polyReLU(x, weight: Tensor([0.2, -1, 3] as [Float]), bias: Tensor([0.7] as [Float]))
        #expect(y.scalars.allSatisfy { $0 == 0.7 })
        // At x = 2: 0.2·8 − 4 + 6 + 0.7.
        let at2 = polyReLU(Tensor([2] as [Float]), weight: Tensor([0.2, -1, 3] as [Float]), bias: Tensor([0.7] as [Float]))
        expectClose(at2.scalars, [4.3])
    }

    @Test func evoNormB0IsInvariantToPositiveScalingInTraining() {
        let layer = EvoNormB0(channels: 3, eps: 1e-12)
        layer.v = Tensor([0.5, 1, 2] as [Float])
        layer.bias = Tensor([0.1, -0.2, 0.3] as [Float])
        let x = testTensor([2, 3, 4, 4], seed: 6, scale: 2, shift: 0.3)
        let base = layer(x)
        for c: Float in [0.05, 7, 300] { expectClose(layer(x * c).scalars, base.scalars, relative: 1e-4) }
    }

    @Test func evoNormS0IsInvariantToScalingOfTheNormalizationButNotTheGate() {
        // With v = 0 the gate is σ(0) = 1/2, and S0 is x / (2·group_std(x)): scale invariant.
        let layer = EvoNormS0(channels: 4, groups: 2, eps: 1e-12)
        layer.v = Tensor(zeros: [4])
        let x = testTensor([2, 4, 3, 3], seed: 7)
        expectClose(layer(x * 9).scalars, layer(x).scalars, relative: 1e-4)
    }

    @Test func evaluationModesUseRunningStatistics() {
        let dice = Dice(features: 2)
        dice.eval()
        dice.alpha = Tensor([0.5, 0.5] as [Float])
        // Running mean 0 and variance 1: p = σ(s), f = p·s + (1 − p)·0.5·s.
        let s: Float = 1.2, p = 1 / (1 + exp(-s))
        expectClose(dice(Tensor([s, s] as [Float], shape: [1, 2])).scalars, [p * s + (1 - p) * 0.5 * s, p * s + (1 - p) * 0.5 * s])
        let b0 = EvoNormB0(channels: 1, eps: 0)
        b0.eval()
        // Running variance 1 and v = 1: x / max(1, x + instance_std) with a constant input (std 0).
        #expect(b0(Tensor([2, 2] as [Float], shape: [1, 1, 2])).scalars == [1, 1])
        #expect(b0(Tensor([-3, -3] as [Float], shape: [1, 1, 2])).scalars == [-3, -3])
    }

    @Test func clippedReLUSendsGradientToTheThresholdFromElementsAboveIt() {
        let x = Tensor([-1, 0.5, 2, 3, 7] as [Float])
        let (_, grads) = valueAndGradient(at: [x, Tensor([1.5] as [Float])]) { xs in
            (clippedReLU(xs[0], threshold: xs[1]) * Tensor([1, 2, 3, 4, 5] as [Float])).sum()
        }
        #expect(grads[0].scalars == [0, 2, 0, 0, 0])
        #expect(grads[1].scalars == [12])
        #expect(ClippedReLU(threshold: 1.5)(x).scalars == [0, 0.5, 1.5, 1.5, 1.5])
    }

    /// GELU x·Φ(x) and its derivative Φ(x) + x·φ(x) against float64 from x = -13, where Φ is
    /// 6e-39, to x = 10: the fused kernel has no cancellation in the negative tail.
    @Test func geluIsAccurateInBothTails() {
        let xs = (0...4600).map { Float(-13 + Double($0) * 0.005) }
        let x = Tensor(xs)
        let values = gelu(x).scalars
        let slopes = gradient(at: x) { gelu($0).sum() }.scalars
        for (i, v) in xs.enumerated() {
            let xd = Double(v)
            let cdf = 0.5 * erfc(-xd / 2.0.squareRoot())
            let xPdf = xd * exp(-xd * xd / 2) / (2 * Double.pi).squareRoot()
            #expect(abs(Double(values[i]) - xd * cdf) <= 2e-6 * abs(xd * cdf), "GELU at \(v)")
            #expect(abs(Double(slopes[i]) - (cdf + xPdf)) <= 2e-6 * (cdf + abs(xPdf)), "GELU' at \(v)")
        }
    }

    @Test func closedForms() {
        let x = Tensor([-2, 0, 1, 8] as [Float])
        expectClose(gelu(x).scalars, [-2 * 0.022750132, 0, 0.8413447, 8])
        expectClose(relu6(x).scalars, [0, 0, 1, 6])
        expectClose(softplus(Tensor([0, 30] as [Float])).scalars, [0.6931472, 30])
        expectClose(softsign(x).scalars, [-2.0 / 3, 0, 0.5, 8.0 / 9])
        expectClose(hardSwish(x).scalars, [-2.0 / 6, 0, 4.0 / 6, 8])
        expectClose(elu(x, alpha: 2).scalars, [2 * (0.13533528 - 1), 0, 1, 8])
        expectClose(mish(Tensor([1] as [Float])).scalars, [0.86509836])
        expectClose(glu(Tensor([3, 0] as [Float])).scalars, [1.5])
    }
}
