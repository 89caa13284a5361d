import KilnNN
import KilnTestSupport
import Testing

/// Every differentiable activation through the shared finite-difference check, on inputs kept
/// away from the kinks (0, ±1, ±3, 6).
@Suite struct ActivationGradientTests {
    /// Values in [-5, 5) moved at least 0.1 away from every kink.
    private func smoothPoints(_ shape: [Int], seed: UInt64) -> Tensor {
        let kinks: [Float] = [0, 1, -1, 3, -3, 6]
        let values = testValues(shape.reduce(1, *), seed: seed).map { v -> Float in
            var x = v * 5
            for k in kinks where abs(x - k) < 0.1 { x = k + (x < k ? -0.1 : 0.1) }
            return x
        }
        return Tensor(values, shape: shape)
    }

    @Test func pointwiseActivations() {
        let x = smoothPoints([3, 7], seed: 21)
        let functions: [(Tensor) -> Tensor] = [
            relu, { leakyReLU($0, negativeSlope: 0.1) }, squaredReLU, relu6, { hardTanh($0, min: -1, max: 1) },
            hardSigmoid, hardSwish, { gelu($0) }, { gelu($0, approximate: .tanh) }, silu, { swish($0, beta: 0.6) },
            mish, { softplus($0) }, { softplus($0, beta: 3, threshold: 4) }, { elu($0, alpha: 0.5) }, selu,
            { celu($0, alpha: 2) }, softsign, tanh, sigmoid,
        ]
        for f in functions { checkGradients([x]) { f($0[0]) } }
    }

    @Test func logSigmoidAndTanhshrink() {
        // Tanhshrink on both sides of its polynomial's range |x| < 0.625, where the two forms meet.
        let x = smoothPoints([3, 7], seed: 29)
        let nearZero = Tensor([-0.9, -0.63, -0.62, -0.3, -0.05, 0.04, 0.2, 0.61, 0.64, 1.2] as [Float])
        for input in [x, nearZero] {
            checkGradients([input]) { logSigmoid($0[0]) }
            checkGradients([input]) { tanhshrink($0[0]) }
        }
    }

    @Test func learnedParameters() {
        let x = smoothPoints([2, 3, 4], seed: 22)
        checkGradients([x, Tensor([0.3, 0.1, 0.2] as [Float])]) { prelu($0[0], weight: $0[1]) }
        checkGradients([x, Tensor([0.8] as [Float])]) { swish($0[0], beta: $0[1]) }
        checkGradients([x, Tensor([0.7, 2.2, 4.3, 1.4] as [Float])]) { clippedReLU($0[0], threshold: $0[1]) }
        checkGradients([x, Tensor([0.4] as [Float])]) { crrelu($0[0], epsilon: $0[1]) }
        let small = smoothPoints([2, 6], seed: 23) * 0.4
        checkGradients([small, Tensor([0.2, -0.3, 0.7] as [Float]), Tensor([0.1] as [Float])]) {
            polyReLU($0[0], weight: $0[1], bias: $0[2])
        }
        checkGradients([small, Tensor([0.2, -0.3, 0.7] as [Float]), Tensor([0.1] as [Float])]) {
            polyNorm($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func gatedAndSorting() {
        let x = smoothPoints([3, 8], seed: 24)
        let gated: [(Tensor) -> Tensor] = [{ glu($0) }, { reglu($0) }, { geglu($0) }, { swiglu($0) }]
        for f in gated { checkGradients([x]) { f($0[0]) } }
        checkGradients([smoothPoints([4, 3], seed: 28)]) { glu($0[0], axis: -2) }
        checkGradients([smoothPoints([2, 12], seed: 25)]) { groupSort($0[0], groupSize: 4) }
    }

    @Test func diceAndEvoNorm() {
        let s = smoothPoints([6, 3], seed: 26) * 0.5
        let alpha = Tensor([0.2, -0.4, 0.1] as [Float])
        checkGradients([s, alpha]) { xs in
            let mean = xs[0].mean(axis: 0), variance = xs[0].variance(axis: 0, correction: 0)
            return dice(xs[0], alpha: xs[1], mean: mean, variance: variance)
        }
        let x = smoothPoints([2, 4, 3, 3], seed: 27) * 0.5
        checkGradients([x]) { EvoNormS0(channels: 4, groups: 2)($0[0]) }
        let b0 = EvoNormB0(channels: 4)
        b0.v = Tensor([0.2, 0.5, 1, 3] as [Float])
        checkGradients([x]) { b0($0[0]) }
    }
}
