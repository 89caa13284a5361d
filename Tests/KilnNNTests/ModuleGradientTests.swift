@testable import KilnNN
import KilnTestSupport
import Testing

@Suite struct ModuleGradientTests {
    /// L = Σ (x·Wᵀ + b − t)² for a 3 → 2 linear layer, inputs x `[4, 3]` and t `[4, 2]`.
    private func setUp() -> (model: Linear, x: Tensor, t: Tensor, loss: (Linear, [Tensor]) -> Tensor) {
        let model = Linear(3, 2, generator: RandomGenerator(seed: 1))
        model.weight = testTensor([2, 3], seed: 2)
        model.bias!.value = testTensor([2], seed: 3)
        return (model, testTensor([4, 3], seed: 4), testTensor([4, 2], seed: 5), { m, xs in
            let r = m(xs[0]) - xs[1]
            return (r * r).sum()
        })
    }

    @Test func inputAndParameterGradientsFromOneCallMatchTheClosedForm() {
        let (model, x, t, loss) = setUp()
        let (value, grads, inputGrads) = valueAndGradient(of: model, at: [x, t], loss)
        // r = x·Wᵀ + b − t; dL/dW = 2 rᵀ·x, dL/db = 2 Σ_rows r, dL/dx = 2 r·W, dL/dt = −2 r.
        let r = x.matmul(model.weight.transposed()) + model.bias!.value - t
        expectClose([value.item], [(r * r).sum().item], relative: 1e-5)
        expectClose(grads["weight"]!.scalars, (2 * r.transposed().matmul(x)).scalars, relative: 1e-5)
        expectClose(grads["bias"]!.scalars, (2 * r.sum(axes: [0])).scalars, relative: 1e-5)
        expectClose(inputGrads[0].scalars, (2 * r.matmul(model.weight)).scalars, relative: 1e-5)
        expectClose(inputGrads[1].scalars, (-2 * r).scalars, relative: 1e-5)
        #expect(model.weight.grad == nil, "the parameters' gradients are cleared after the call")
    }

    @Test func oneCallEqualsTheTwoSeparateCalls() {
        let (model, x, t, loss) = setUp()
        let (value, grads, inputGrads) = valueAndGradient(of: model, at: [x, t], loss)
        let (parameterValue, parameterGrads) = valueAndGradient(of: model) { m in loss(m, [x, t]) }
        let (inputValue, separateInputGrads) = valueAndGradient(at: [x, t]) { xs in loss(model, xs) }
        #expect(value.item == parameterValue.item && value.item == inputValue.item)
        #expect(grads.byName.keys.sorted() == parameterGrads.byName.keys.sorted())
        for (name, g) in parameterGrads.byName { #expect(grads[name]!.scalars == g.scalars, "\(name)") }
        for (g, separate) in zip(inputGrads, separateInputGrads) { #expect(g.scalars == separate.scalars) }
    }

    @Test func gradientsAgreeWithFiniteDifferences() {
        let (model, x, t, loss) = setUp()
        let (_, grads, inputGrads) = valueAndGradient(of: model, at: [x, t], loss)
        // The shared check differentiates the same loss with the weight and bias as inputs too.
        checkGradients([x, t, model.weight, model.bias!.value], eps: 1e-2) { xs in
            model.$weight.substitute = xs[2]
            model.bias!.substitute = xs[3]
            defer { model.$weight.substitute = nil; model.bias!.substitute = nil }
            return loss(model, [xs[0], xs[1]])
        }
        let (_, reference) = valueAndGradient(at: [x, t, model.weight, model.bias!.value]) { xs in
            model.$weight.substitute = xs[2]
            model.bias!.substitute = xs[3]
            defer { model.$weight.substitute = nil; model.bias!.substitute = nil }
            return loss(model, [xs[0], xs[1]])
        }
        expectClose(inputGrads[0].scalars + inputGrads[1].scalars + grads["weight"]!.scalars + grads["bias"]!.scalars,
                    reference.flatMap(\.scalars), relative: 1e-5)
    }
}
