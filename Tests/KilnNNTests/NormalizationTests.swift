import KilnNN
import KilnTestSupport
import Testing

@Suite struct NormalizationTests {
    /// Checks a batch-norm case: training forward/backward, running statistics after a second
    /// training step, and evaluation forward/backward with the running statistics.
    private func checkBatchNorm(_ name: String, _ layer: BatchNorm) throws {
        let fixture = LayerFixture(name)
        try fixture.check(layer)
        _ = layer(fixture["x2"])
        let after = fixture.group("after"), state = layer.stateDict()
        #expect(Set(after.keys) == Set(state.keys))
        for (key, expected) in after where expected.dtype == .float32 {
            expectClose(state[key]!.scalars, expected.scalars, relative: 1e-5)
        }
        #expect(state["num_batches_tracked"]!.integers == [2] && after["num_batches_tracked"]!.integers == [2])
        layer.eval()
        try fixture.checkLoaded(layer, gradients: "eval_grad", output: "eval_y", inputGradient: "eval_dx")
    }

    @Test func batchNormMatchesPyTorch() throws {
        try checkBatchNorm("batchnorm2d", BatchNorm2d(3))
        try checkBatchNorm("batchnorm1d", BatchNorm1d(4, momentum: nil))
        try checkBatchNorm("batchnorm1d_seq", BatchNorm1d(4, momentum: 0.3, affine: false))
    }

    @Test func batchNormStateDictNames() {
        #expect(Set(BatchNorm2d(3).stateDict().keys) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(BatchNorm2d(3, affine: false, trackRunningStats: false).stateDict().isEmpty)
    }

    @Test func batchNormWithoutRunningStatsUsesBatchStatisticsInEval() {
        let layer = BatchNorm2d(2, trackRunningStats: false)
        layer.eval()
        let x = testTensor([3, 2, 2, 2], seed: 3)
        let y = layer(x)
        expectClose(y.mean(axes: [0, 2, 3]).scalars, [0, 0], relative: 1e-5)
        expectClose(y.variance(axes: [0, 2, 3], correction: 0).scalars, [1, 1], relative: 1e-3)
    }

    @Test func batchNormOpGradientsMatchFiniteDifferences() {
        let x = testTensor([3, 2, 4], seed: 1), w = testTensor([2], seed: 2, shift: 1), b = testTensor([2], seed: 3)
        checkGradients([x, w, b]) { t in batchNorm(t[0], weight: t[1], bias: t[2]).output }
        let mean = testTensor([2], seed: 4), variance = testTensor([2], seed: 5, scale: 0.3, shift: 1)
        checkGradients([x, w, b]) { t in batchNorm(t[0], mean: mean, variance: variance, weight: t[1], bias: t[2]) }
    }

    @Test func layerNormOpMatchesClosedForm() {
        // Row [1, 2, 3, 4]: mean 2.5, variance 1.25, so x̂ = [−1.5, −0.5, 0.5, 1.5]/√(1.25 + eps); a constant row has x̂ = 0.
        let x = Tensor([1, 2, 3, 4, 7, 7, 7, 7] as [Float], shape: [2, 4])
        let w: [Float] = [1, 2, 0.5, -1], b: [Float] = [0, 1, -1, 2]
        let s = 1 / (1.25 + 1e-5 as Float).squareRoot()
        let first = [-1.5, -0.5, 0.5, 1.5].enumerated().map { Float($0.element) * s * w[$0.offset] + b[$0.offset] }
        expectClose(layerNorm(x, weight: Tensor(w), bias: Tensor(b), eps: 1e-5).scalars, first + b, relative: 1e-6)
    }

    @Test func layerNormOpGradientsMatchFiniteDifferences() {
        // 12 and 20 features: vector bodies of 8 with scalar tails.
        for n in [12, 20] {
            let x = testTensor([3, 2, n], seed: 1), w = testTensor([n], seed: 2, shift: 1), b = testTensor([n], seed: 3)
            checkGradients([x, w, b]) { t in layerNorm(t[0], weight: t[1], bias: t[2]) }
            checkGradients([x]) { t in layerNorm(t[0]) }
        }
    }

    @Test func layerNormOpWeightGradientsDoNotDependOnThreads() {
        let x = testTensor([300, 24], seed: 4), w = testTensor([24], seed: 5, shift: 1), b = testTensor([24], seed: 6)
        let cotangent = testTensor([300, 24], seed: 7)
        func gradients(_ threads: Int) -> [[Float]] {
            Threads.withCount(threads) {
                valueAndGradient(at: [x, w, b]) { t in (layerNorm(t[0], weight: t[1], bias: t[2]) * cotangent).sum() }.gradients.map(\.scalars)
            }
        }
        #expect(gradients(1) == gradients(2))
    }

    @Test func layerRMSAndGroupNormMatchPyTorch() throws {
        try LayerFixture("layernorm").check(LayerNorm([3, 4]))
        try LayerFixture("rmsnorm").check(RMSNorm([6]))
        try LayerFixture("groupnorm").check(GroupNorm(groups: 2, channels: 6))
    }

    @Test func rmsNormDefaultEpsilonIsFloatMachineEpsilon() {
        // A zero input stays zero; an input of c gives c / √(c² + ε).
        let y = RMSNorm(2)(Tensor([1e-4, 1e-4] as [Float], shape: [1, 2]))
        let expected = 1e-4 / (1e-8 + Float.ulpOfOne).squareRoot()
        expectClose(y.scalars, [expected, expected], relative: 1e-5)
    }
}
