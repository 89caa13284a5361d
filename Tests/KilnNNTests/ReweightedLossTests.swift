import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct ReweightedLossTests {
    let losses = Tensor([2.0, 0.5, 1.25, 3.5, 1.0] as [Float])

    @Test func weightsAreASoftmaxOfTheStrategyScores() {
        // Min-max to [−1, 1]: (ℓ − 0.5)/3·2 − 1.
        let scaled = losses.scalars.map { Double($0 - 0.5) / 3 * 2 - 1 }
        let scores: [(LossReweighting, [Double])] = [
            (.linUpper, scaled.map { min($0 + 1, 1) }),
            (.quadratic, scaled.map { 1 - $0 * $0 }),
            (.extremes, scaled.map { abs($0) }),
        ]
        for (strategy, score) in scores {
            let temperature = 0.7
            let exps = score.map { Foundation.exp($0 / temperature) }
            let expected = exps.map { Float($0 / exps.reduce(0, +)) }
            let w = strategy.weights(for: losses, temperature: Float(temperature))
            expectClose(w.scalars, expected)
            #expect(abs(w.sum().item - 1) < 1e-6)
        }
    }

    @Test func extremesWeighTheExtremesMostAndLinUpperTheLowestLeast() {
        let w = LossReweighting.extremes.weights(for: losses).scalars
        let largest = Set(w.indices.sorted { w[$0] > w[$1] }.prefix(2))
        #expect(largest == [1, 3])
        let lin = LossReweighting.linUpper.weights(for: losses).scalars
        #expect(lin.firstIndex(of: lin.min()!) == 1)
        let quad = LossReweighting.quadratic.weights(for: losses).scalars
        #expect(quad[1] == quad.min()! || quad[3] == quad.min()!)
        // Equal losses: uniform weights.
        expectClose(LossReweighting.quadratic.weights(for: Tensor([0.3, 0.3, 0.3, 0.3] as [Float])).scalars, [0.25, 0.25, 0.25, 0.25])
    }

    @Test func weightedLossTreatsWeightsAsConstants() {
        let w = LossReweighting.linUpper.weights(for: losses, delta: 0.5, temperature: 2)
        let (value, g) = valueAndGradient(at: losses) { LossReweighting.linUpper.weightedLoss($0, delta: 0.5, temperature: 2) }
        expectClose(value.scalars, [(w * losses).sum().item])
        expectClose(g.scalars, w.scalars)
        // (No finite-difference check: moving one loss moves the weights, which autodiff rightly ignores.)
    }
}
