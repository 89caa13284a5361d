import Foundation
import KilnNN
import KilnTestSupport
import Testing

/// The fused kernels give the same numbers whatever the size, split or layout of the input,
/// and the layers name their parameters as PyTorch does.
@Suite struct ActivationKernelTests {
    static let all: [PointwiseActivation] = [
        .relu, .leakyReLU(negativeSlope: 0.1), .hardTanh(min: -1, max: 2), .elu(alpha: 1.3), .gelu, .geluTanh,
        .silu(), .silu(beta: 1.5), .mish, .softplus(), .softsign, .hardSigmoid, .hardSwish, .squaredReLU,
        .logSigmoid, .tanhshrink,
    ]

    @Test(arguments: all)
    func largeInputsMatchSmallPieces(f: PointwiseActivation) {
        // Large enough for the streaming-store path and for a split across threads; an odd
        // count and an odd offset exercise the unaligned head and the masked tail.
        let n = (1 << 18) + 37
        let x = testTensor([n + 3], seed: 8, scale: 6).slice(axis: 0, 3..<(n + 3))
        let g = testTensor([n], seed: 9)
        let (_, grads) = valueAndGradient(at: [x]) { xs in (xs[0].activated(f) * g).sum() }
        let y = x.activated(f)
        for start in stride(from: 0, to: n, by: 65_537) {
            let r = start..<Swift.min(n, start + 1_000)
            let piece = x.slice(axis: 0, r)
            #expect(y.slice(axis: 0, r).scalars == piece.activated(f).scalars, "\(f) forward at \(start)")
            let dPiece = gradient(at: piece) { ($0.activated(f) * g.slice(axis: 0, r)).sum() }
            #expect(grads[0].slice(axis: 0, r).scalars == dPiece.scalars, "\(f) backward at \(start)")
        }
    }

    @Test func stridedInputsGiveTheSameValues() {
        let x = testTensor([6, 5], seed: 10, scale: 4)
        #expect(gelu(x.T).scalars == gelu(x.T.contiguous()).scalars)
        let g = gradient(at: x) { (mish($0.T) * testTensor([5, 6], seed: 11)).sum() }
        let h = gradient(at: x) { (mish($0).T * testTensor([5, 6], seed: 11)).sum() }
        #expect(g.scalars == h.scalars)
    }

    @Test func specialValues() {
        let x = Tensor([Float.nan, .infinity, -.infinity, -100, 100] as [Float])
        let r = relu(x).scalars
        #expect(r[0].isNaN && r[1] == .infinity && r[2] == 0 && r[3] == 0 && r[4] == 100)
        let s = silu(x).scalars
        #expect(s[0].isNaN && abs(s[3]) < 1e-40 && s[4] == 100)
        let gl = gelu(x).scalars
        #expect(gl[0].isNaN && gl[3] == 0 && gl[4] == 100)
        let m = mish(x).scalars
        #expect(m[0].isNaN && abs(m[3]) < 1e-30 && m[4] == 100)
        #expect(softplus(Tensor([-100, 100] as [Float])).scalars == [Float(3.7200760e-44), 100])
    }

    @Test func logSigmoidAndTanhshrinkAtExtremes() {
        // log σ(x) is x far left and −e^{−x} far right (e^{−30} = 9.3576230e-14); its slope is σ(−x).
        let x = Tensor([-1e4, -30, 0, 30, 1e4] as [Float])
        expectClose(logSigmoid(x).scalars, [-1e4, -30, -Float(Foundation.log(2.0)), -9.3576230e-14, 0], relative: 1e-6)
        expectClose(gradient(at: x) { logSigmoid($0).sum() }.scalars, [1, 1, 0.5, 9.3576230e-14, 0], relative: 1e-6)
        // x − tanh x is x ∓ 1 far out, x³/3 near 0 (no cancellation), and NaN stays NaN; its slope is tanh² x.
        let t = tanhshrink(Tensor([-1e4, -1e-3, 0, 1e-3, 1e4, .nan] as [Float])).scalars
        expectClose(Array(t[0..<5]), [-9999, -3.3333325e-10, 0, 3.3333325e-10, 9999], relative: 2e-6)
        #expect(t[5].isNaN)
        let slope = gradient(at: Tensor([-1e4, 1e-3, 0, 1e4] as [Float])) { tanhshrink($0).sum() }.scalars
        expectClose(slope, [1, 9.9999943e-7, 0, 1], relative: 1e-6)
    }

    @Test func logSigmoidAndTanhshrinkAreAccurateAcrossTheRange() {
        // 4001 points from 1e-4 to 80 on a log scale, both signs, against float64.
        let magnitudes = (0...4000).map { Float(Foundation.pow(10.0, -4 + 5.9 * Double($0) / 4000)) }
        let x = Tensor(magnitudes + magnitudes.map { -$0 })
        func worst(_ actual: [Float], _ reference: (Double) -> Double) -> Double {
            zip(actual, x.scalars).map { a, v in
                let r = reference(Double(v))
                return abs(Double(a) - r) / abs(r)
            }.max()!
        }
        // log σ(x) = −log(1 + e^{−x}) for x ≥ 0, x − log(1 + e^{x}) below.
        let logSigmoidError = worst(logSigmoid(x).scalars) { v in
            v >= 0 ? -Foundation.log1p(Foundation.exp(-v)) : v - Foundation.log1p(Foundation.exp(v))
        }
        // x − tanh x in float64 cancels only to 1e-16/x², far below float32's precision here.
        let tanhshrinkError = worst(tanhshrink(x).scalars) { $0 - Foundation.tanh($0) }
        #expect(logSigmoidError < 1e-6, "logSigmoid: worst relative error \(logSigmoidError)")
        #expect(tanhshrinkError < 2e-6, "tanhshrink: worst relative error \(tanhshrinkError)")
    }

    @Test func parametersAndBuffersAreNamedLikePyTorch() {
        #expect(PReLU(parameterCount: 3).namedParameters().map(\.name) == ["weight"])
        #expect(PReLU().weight.scalars == [0.25])
        #expect(Swish().namedParameters().isEmpty)
        #expect(Swish(beta: 2, learnable: true).namedParameters().map(\.name) == ["beta"])
        #expect(PolyNorm().namedParameters().map(\.name) == ["weight", "bias"])
        expectClose(PolyReLU().weight.scalars, [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(Dice(features: 4).namedBuffers().map(\.name) == ["runningMean", "runningVariance"])
        #expect(EvoNormB0(channels: 8).namedParameters().map(\.name) == ["weight", "bias", "v"])
        #expect(EvoNormS0(channels: 8).groups == 8)
        let ffn = GatedFeedForward(inputSize: 4, hiddenSize: 6)
        #expect(ffn.namedParameters().map(\.name) == ["w", "v", "w2"])
        #expect(ffn(testTensor([2, 4], seed: 12)).shape == [2, 4])
        #expect(Sequential { ReLU(); GELU(); SiLU() }(Tensor([1] as [Float])).shape == [1])
    }

    @Test func gatedFeedForwardIsTheGatedProduct() {
        let ffn = GatedFeedForward(inputSize: 3, hiddenSize: 2, gate: .gelu)
        let x = testTensor([2, 3], seed: 13)
        let expected = matmul(gelu(matmul(x, ffn.w.T)) * matmul(x, ffn.v.T), ffn.w2.T)
        expectClose(ffn(x).scalars, expected.scalars)
        checkGradients([x]) { ffn($0[0]) }
    }
}
