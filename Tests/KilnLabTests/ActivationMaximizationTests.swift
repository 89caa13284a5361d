import KilnLab
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct ActivationMaximizationTests {
    let w = testTensor([2, 5], seed: 4)

    @Test func aLinearObjectiveWithL2ConvergesToWOverTwoLambda() {
        // f(x) = wᵀx − λ‖x‖² is maximized at x* = w / (2λ); plain gradient ascent contracts by 1 − 2λη per step.
        let lambda: Float = 0.25
        let ascent = ActivationMaximization(steps: 200, l2: lambda, optimizer: { SGD(groups: $0, learningRate: 0.5) })
        let x = ascent.maximize(from: Tensor(zeros: [2, 5])) { x in (x * w).sum() }
        expectClose(x.scalars, (w / (2 * lambda)).scalars, relative: 1e-4, absolute: 1e-6)
    }

    @Test func theRangeClampsTheOptimum() {
        let ascent = ActivationMaximization(steps: 200, l2: 0.25, range: -0.5...0.5, optimizer: { SGD(groups: $0, learningRate: 0.5) })
        let x = ascent.maximize(from: Tensor(zeros: [2, 5])) { x in (x * w).sum() }
        expectClose(x.scalars, (2 * w).scalars.map { min(max($0, -0.5), 0.5) }, relative: 1e-4, absolute: 1e-6)
    }

    @Test func totalVariationOfAConstantImageIsZeroAndOfASmallOneIsByHand() {
        #expect(totalVariation(Tensor(repeating: 0.7, shape: [2, 1, 4, 5])).item == 0)
        // [[0, 1], [3, 5]]: vertical (3 − 0)² + (5 − 1)² = 25, horizontal (1 − 0)² + (5 − 3)² = 5.
        #expect(totalVariation(Tensor([Float(0), 1, 3, 5], shape: [2, 2])).item == 30)
    }

    @Test func gradientsOfTheTotalVariationAndTheRegularizedObjective() {
        checkGradients([testTensor([2, 1, 4, 3], seed: 5)]) { totalVariation($0[0]) }
        let ascent = ActivationMaximization(steps: 0, l2: 0.3, totalVariation: 0.2)
        let weights = testTensor([1, 3, 4], seed: 6)
        checkGradients([testTensor([1, 3, 4], seed: 7)]) { xs in ascent.regularized({ ($0 * weights).sum() }, at: xs[0]) }
    }
}
