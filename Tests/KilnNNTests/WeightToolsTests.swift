@testable import Kiln
@testable import KilnNN
import Foundation
import KilnTestSupport
import Testing

/// `x·weightᵀ + bias`: a layer to wrap, independent of the library's own layers.
private final class Dense: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor

    init(_ input: Int, _ output: Int, seed: UInt64 = 1) {
        weight = testTensor([output, input], seed: seed)
        bias = testTensor([output], seed: seed + 1)
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }
}

/// The fixture tensors named `prefix.<name>` for `names`.
private func state(_ fixture: [String: Tensor], _ prefix: String, _ names: [String]) -> [String: Tensor] {
    Dictionary(uniqueKeysWithValues: names.map { ($0, fixture["\(prefix).\($0)"]!) })
}

/// A 4×4 Householder reflection I − 2vvᵀ/‖v‖², an orthogonal matrix.
private func householder() -> Tensor {
    let v: [Float] = [1, -2, 0.5, 3], vv = v.reduce(0) { $0 + $1 * $1 }
    return Tensor((0..<16).map { k in (k / 4 == k % 4 ? 1 : 0) - 2 * v[k / 4] * v[k % 4] / vv }, shape: [4, 4])
}

/// The k×k identity as row-major values.
private func identity(_ k: Int) -> [Float] { (0..<(k * k)).map { $0 / k == $0 % k ? 1 : 0 } }

@Suite struct WeightToolsTests {
    @Test func weightNormMatchesPyTorch() throws {
        let fixture = Fixtures.load("weight_tools")
        let layer = WeightNormalized(Dense(5, 4))
        #expect(Set(layer.stateDict().keys) == ["bias", "weight_g", "weight_v"])
        #expect(layer.magnitude.value.shape == [4, 1])
        try layer.load(stateDict: state(fixture, "wn", ["bias", "weight_g", "weight_v"]))
        layer.zeroGradients()
        let (_, dx) = valueAndGradient(at: fixture["wn.x"]!) { x in
            let y = layer(x)
            expectClose(y.scalars, fixture["wn.y"]!.scalars)
            return (y * fixture["wn.cot"]!).sum()
        }
        expectClose(dx.scalars, fixture["wn.dx"]!.scalars)
        expectClose(layer.layer.weight.scalars, fixture["wn.weight"]!.scalars)
        for name in ["weight_g", "weight_v", "bias"] {
            let p = layer.namedParameters().first { $0.name == name }!.parameter
            expectClose(p.gradient!.scalars, fixture["wn.grad.\(name)"]!.scalars)
        }
    }

    @Test func weightNormStartsAsThePlainLayerWithUnitRowsScaledByG() {
        let dense = Dense(3, 2, seed: 5)
        let x = testTensor([4, 3], seed: 6)
        let before = dense(x).scalars
        let layer = WeightNormalized(dense)
        expectClose(layer(x).scalars, before)
        // w = g · v/‖v‖ by hand: rows of v = [3, 4, 0] and [0, 0, 2] scaled to lengths 2 and 0.5.
        layer.direction.value = Tensor([3, 4, 0, 0, 0, 2] as [Float], shape: [2, 3])
        layer.magnitude.value = Tensor([2, 0.5] as [Float], shape: [2, 1])
        _ = layer(x)
        expectClose(dense.weight.scalars, [1.2, 1.6, 0, 0, 0, 0.5])
        #expect(layer.parameterCount == 2 + 2 + 6 && layer.trainableParameterCount == 10)
    }

    @Test func weightNormWrapsARecurrentWeight() {
        let rnn = GRU(inputSize: 3, hiddenSize: 4, generator: RandomGenerator(seed: 7))
        let x = testTensor([2, 5, 3], seed: 8)
        let (plain, h) = rnn(x, state: nil)
        let wrapped = WeightNormalized(rnn, parameter: "weight_hh_l0")
        #expect(wrapped.namedParameters().map(\.name) == ["weight_ih_l0", "bias_ih_l0", "bias_hh_l0",
                                                          "weight_hh_l0_g", "weight_hh_l0_v"])
        let (output, state) = wrapped.withComputedWeight { $0(x, state: nil) }
        expectClose(output.scalars, plain.scalars)
        expectClose(state.scalars, h.scalars)
    }

    @Test func spectralNormMatchesPyTorchGivenTheSameU() throws {
        let fixture = Fixtures.load("weight_tools")
        let layer = SpectralNormalized(Dense(5, 4))
        #expect(Set(layer.stateDict().keys) == ["bias", "weight_orig", "weight_u", "weight_v"])
        try layer.load(stateDict: state(fixture, "sn", ["bias", "weight_orig", "weight_u", "weight_v"]))
        layer.zeroGradients()
        let x = fixture["sn.x"]!
        _ = layer(x)
        let (_, dx) = valueAndGradient(at: x) { x in
            let y = layer(x)
            expectClose(y.scalars, fixture["sn.y"]!.scalars)
            return (y * fixture["sn.cot"]!).sum()
        }
        expectClose(dx.scalars, fixture["sn.dx"]!.scalars)
        expectClose(layer.original.gradient!.scalars, fixture["sn.grad.weight_orig"]!.scalars)
        expectClose(layer.layer.$bias.gradient!.scalars, fixture["sn.grad.bias"]!.scalars)
        expectClose(layer.u.wrappedValue.scalars, fixture["sn.u_after"]!.scalars)
        expectClose(layer.v.wrappedValue.scalars, fixture["sn.v_after"]!.scalars)
        layer.eval()
        expectClose(layer(x).scalars, fixture["sn.y_eval"]!.scalars)
        expectClose(layer.u.wrappedValue.scalars, fixture["sn.u_after"]!.scalars)
    }

    @Test func spectralNormConvergesToUnitSpectralNorm() {
        let dense = Dense(6, 4, seed: 9)
        let layer = SpectralNormalized(dense, generator: RandomGenerator(seed: 10))
        for _ in 0..<30 { _ = layer(testTensor([2, 6], seed: 11)) }
        let sigma = dense.weight.singularValues().scalars[0]
        #expect(abs(sigma - 1) < 1e-5)
        let original = layer.original.value.singularValues().scalars[0]
        expectClose(dense.weight.scalars, layer.original.value.scalars.map { $0 / original }, relative: 1e-5)
    }

    @Test func singularValuesReconstructTheMatrix() {
        for shape in [[5, 3], [3, 5], [4, 4]] {
            let a = testTensor(shape, seed: 12)
            let (u, s, v) = a.singularValueDecomposition()
            #expect(s.scalars == s.scalars.sorted(by: >))
            expectClose(((u * s).matmul(v.transposed())).scalars, a.scalars)
            let k = s.count
            expectClose(u.transposed().matmul(u).scalars, identity(k))
            expectClose(v.transposed().matmul(v).scalars, identity(k))
        }
        // 2×2 closed forms: σ₁σ₂ = |det|, σ₁² + σ₂² = ‖A‖²_F.
        let s = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]).singularValues().scalars
        #expect(abs(s[0] * s[1] - 2) < 1e-5 && abs(s[0] * s[0] + s[1] * s[1] - 30) < 1e-4)
    }

    @Test func singularValueGradientsCheckNumerically() {
        checkGradients([testTensor([4, 3], seed: 13)], eps: 1e-3) { xs in xs[0].singularValues() }
        checkGradients([testTensor([2, 5], seed: 14)], eps: 1e-3) { xs in xs[0].singularValues() }
    }

    @Test func conditionNumberOfDiagonalAndOrthogonalMatrices() {
        let diagonal = Tensor([3, 0, 0, 0, -0.5, 0, 0, 0, 2] as [Float], shape: [3, 3])
        #expect(conditionNumber(diagonal) == 6)
        #expect(conditionNumber(Tensor([0, 4, 0, 0.5, 0, 0] as [Float], shape: [2, 3])) == 8)
        #expect(abs(conditionNumber(householder()) - 1) < 1e-6)
        #expect(conditionNumber(Tensor([1, 2, 2, 4] as [Float], shape: [2, 2])) > 1e6)
        expectClose([logConditionNumberPenalty(diagonal).item], [Foundation.log(6)])
        #expect(abs(logConditionNumberPenalty(householder()).item) < 1e-6)
        #expect(abs(logConditionNumberPenalty(householder() * 3).item) < 1e-6)
    }

    @Test func logConditionNumberPenaltyGradientChecksAndLowersKappa() {
        checkGradients([testTensor([4, 3], seed: 15)], eps: 1e-3) { xs in logConditionNumberPenalty(xs[0]) }
        checkGradients([testTensor([2, 2, 3], seed: 16)], eps: 1e-3) { xs in logConditionNumberPenalty(xs[0]) }
        // Gradient descent on the penalty alone drives κ toward 1 (from 2.39; the max and min alternate near the end).
        var w = testTensor([4, 3], seed: 17)
        let start = conditionNumber(w)
        for _ in 0..<200 { w = w - 0.05 * gradient(at: w) { logConditionNumberPenalty($0) } }
        #expect(start > 2 && conditionNumber(w) < 1.05)
    }

    @Test func modelPenaltySumsOverWeightMatrices() {
        let model = Sequential { Dense(3, 4, seed: 18); Dense(4, 2, seed: 19) }
        let expected = logConditionNumberPenalty(model.parameters()[0].value) + logConditionNumberPenalty(model.parameters()[2].value)
        expectClose([logConditionNumberPenalty(of: model).item], [expected.item])
        let (_, grads) = valueAndGradient(of: model) { logConditionNumberPenalty(of: $0) }
        #expect(grads["0.bias"]!.scalars.allSatisfy { $0 == 0 } && grads["1.weight"]!.scalars.contains { $0 != 0 })
    }
}
