import Foundation
import Kiln
import KilnNN
import KilnOptimizers
import KilnTestSupport
import Testing

/// Properties from the papers and closed forms, independent of the fixtures.
@Suite struct OptimizerPropertyTests {
    final class Big: Module {
        @Parameter var weight: Tensor
        init(_ values: [Float]) {
            weight = Tensor(values)
            super.init()
        }
    }

    @Test func radamRectifiesOnlyOnceTheVarianceIsTractable() throws {
        // β₂ = 0.999: ρ∞ ≈ 1999 and ρₜ ≈ t − ε for small t, so steps 1 to 5 take no adaptive step.
        let radam = RAdam()
        for t in 1...5 { #expect(radam.rectification(atStep: t) == nil, "step \(t)") }
        let beta2 = 0.999, rhoInfinity = 2 / (1 - beta2) - 1
        let rho6 = rhoInfinity - 12 * pow(beta2, 6) / (1 - pow(beta2, 6))
        let r6 = ((rho6 - 4) * (rho6 - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho6)).squareRoot()
        expectClose(try #require(radam.rectification(atStep: 6)), r6, relative: 1e-14, "r₆")
        expectClose(r6, 0.025821112801858, relative: 1e-12, "r₆ by hand")
        // rₜ rises towards 1 as ρₜ → ρ∞.
        let late = try #require(radam.rectification(atStep: 1_000_000))
        #expect(late > 0.999 && late <= 1)
    }

    @Test func radamBeforeRectificationIsBiasCorrectedMomentum() {
        // While ρₜ ≤ 5 the step is η·m̂ and m̂ equals the gradient when it stays constant.
        let model = Big([1, -2, 3, 0.5, 0, 7, -1, 2, 4])
        let optimizer = RAdam(learningRate: 0.1)
        let gradient = Tensor([0.5, -1, 2, 0.25, 1, -3, 0.125, 8, -4] as [Float])
        var expected = model.weight.scalars.map(Double.init)
        for _ in 1...5 {
            optimizer.update(model, along: Gradients(["weight": gradient]))
            for i in expected.indices { expected[i] -= 0.1 * Double(gradient.scalars[i]) }
        }
        for (a, e) in zip(model.weight.scalars, expected) { expectClose(Double(a), e, relative: 1e-6, "θ") }
    }

    @Test func lionMovesEachCoordinateByTheLearningRateOrNotAtAll() {
        let model = Quadratic()
        let optimizer = Lion(learningRate: 0.01)
        for _ in 0..<30 {
            let before = model.namedParameters().flatMap { $0.parameter.value.scalars }
            var grads = model.gradients()
            grads["b"] = Tensor([0, 1, -2, 0] as [Float])  // zero gradients on a fresh momentum move nothing
            optimizer.update(model, along: grads)
            let after = model.namedParameters().flatMap { $0.parameter.value.scalars }
            for (x, y) in zip(before, after) {
                let moved = abs(Double(y) - Double(x))
                let ulp = Double(max(abs(x), abs(y)).ulp)
                #expect(moved == 0 || abs(moved - 0.01) <= ulp, "moved by \(moved)")
            }
        }
    }

    @Test func orthogonalProjectionIsOrthogonalAndKeepsTheNorm() {
        let theta = Tensor((0..<50).map { Float(sin(Double($0) * 0.7)) }, shape: [5, 10])
        let gradient = Tensor((0..<50).map { Float(cos(Double($0) * 1.3)) + 0.5 * Float(sin(Double($0) * 0.7)) }, shape: [5, 10])
        let projected = orthogonalProjection(of: gradient, to: theta)
        let t = theta.scalars.map(Double.init), g = gradient.scalars.map(Double.init), p = projected.scalars.map(Double.init)
        let dot = zip(p, t).reduce(0) { $0 + $1.0 * $1.1 }
        let norm = { (x: [Double]) in x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        #expect(abs(dot) <= 1e-6 * norm(p) * norm(t))
        #expect(abs(norm(p) - norm(g)) <= 1e-6 * norm(g))
        // Removing the component along θ by hand gives the same direction.
        let along = zip(g, t).reduce(0) { $0 + $1.0 * $1.1 } / t.reduce(0) { $0 + $1 * $1 }
        let orthogonal = zip(g, t).map { $0 - along * $1 }
        let scale = norm(g) / norm(orthogonal)
        expectMatches(projected, Tensor(orthogonal.map { Float($0 * scale) }, shape: [5, 10]), "projection")
    }

    /// A parameter large enough to be split across threads, against the AdamW formula in Double.
    @Test func largeAdamWMatchesTheFormula() {
        let n = 200_003
        let initial = (0..<n).map { Float(sin(Double($0) * 0.001)) }
        let model = Big(initial)
        let optimizer = AdamW(learningRate: 0.01, weightDecay: 0.1)
        var theta = initial.map(Double.init), m = [Double](repeating: 0, count: n), v = m
        for step in 1...3 {
            let g = (0..<n).map { Float(cos(Double($0 * step) * 0.01)) }
            optimizer.update(model, along: Gradients(["weight": Tensor(g)]))
            let bc1 = 1 - pow(0.9, Double(step)), bc2 = 1 - pow(0.999, Double(step))
            for i in 0..<n {
                let gi = Double(g[i])
                theta[i] *= 1 - 0.01 * 0.1
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                theta[i] -= 0.01 / bc1 * m[i] / (v[i].squareRoot() / bc2.squareRoot() + 1e-8)
            }
        }
        expectMatches(model.weight, Tensor(theta.map(Float.init)), relative: 1e-5, "AdamW over \(n) elements")
    }

    @Test func accumulatorAveragesMicroBatches() {
        var accumulator = GradientAccumulator(microBatches: 3)
        #expect(accumulator.add(Gradients(["w": Tensor([1, 2] as [Float])])) == nil)
        #expect(accumulator.add(Gradients(["w": Tensor([3, 4] as [Float])])) == nil)
        let mean = accumulator.add(Gradients(["w": Tensor([5, 9] as [Float]), "u": Tensor([3] as [Float])]))
        #expect(mean?["w"]?.scalars == [3, 5])
        #expect(mean?["u"]?.scalars == [1])
        #expect(accumulator.pending == 0)
        #expect(accumulator.add(Gradients(["w": Tensor([1, 1] as [Float])])) == nil)
    }

    @Test func weightedMicroBatchesAverageByWeightAndAPartialGroupCanBeTaken() {
        var accumulator = GradientAccumulator(microBatches: 4)
        #expect(accumulator.takeMean() == nil)
        // Weights 3 and 1: (3·[2, 4] + 1·[6, 0]) / 4 = [3, 3].
        #expect(accumulator.add(Gradients(["w": Tensor([2, 4] as [Float])]), weight: 3) == nil)
        #expect(accumulator.add(Gradients(["w": Tensor([6, 0] as [Float])]), weight: 1) == nil)
        #expect(accumulator.takeMean()?["w"]?.scalars == [3, 3])
        #expect(accumulator.pending == 0 && accumulator.takeMean() == nil)
        // A fresh group after the partial one: weights 1 and 4 of [5] and [0] give [1].
        _ = accumulator.add(Gradients(["w": Tensor([5] as [Float])]), weight: 1)
        _ = accumulator.add(Gradients(["w": Tensor([0] as [Float])]), weight: 4)
        #expect(accumulator.takeMean()?["w"]?.scalars == [1])
    }
}
