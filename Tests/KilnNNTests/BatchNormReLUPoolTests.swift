import Kiln
import KilnNN
import KilnTestSupport
import Testing

@Suite struct BatchNormReLUPoolTests {
    /// The composition the fused op replaces, in training mode.
    private func layered(_ t: [Tensor]) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let (y, mean, variance) = batchNorm(t[0], weight: t[1], bias: t[2])
        return (maxPool2d(relu(y), kernelSize: (2, 2)), mean, variance)
    }

    /// Expects the fused op to match the layered one in value, statistics and every gradient.
    private func expectMatches(_ x: Tensor, _ w: Tensor, _ b: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        let (fused, mean, variance) = batchNormReLUMaxPool2x2(x, weight: w, bias: b)
        let reference = layered([x, w, b])
        #expect(fused.shape == reference.output.shape, sourceLocation: sourceLocation)
        expectClose(fused.scalars, reference.output.scalars, relative: 1e-5, absolute: 1e-6, sourceLocation: sourceLocation)
        expectClose(mean.scalars, reference.mean.scalars, relative: 0, sourceLocation: sourceLocation)
        expectClose(variance.scalars, reference.variance.scalars, relative: 0, sourceLocation: sourceLocation)
        let cotangent = testTensor(fused.shape, seed: 7)
        let (_, dFused) = valueAndGradient(at: [x, w, b]) { t in (batchNormReLUMaxPool2x2(t[0], weight: t[1], bias: t[2]).output * cotangent).sum() }
        let (_, dLayered) = valueAndGradient(at: [x, w, b]) { t in (layered(t).output * cotangent).sum() }
        for (a, e) in zip(dFused, dLayered) {
            expectClose(a.scalars, e.scalars, relative: 1e-4, absolute: 1e-5, sourceLocation: sourceLocation)
        }
        let (runMean, runVariance) = (testTensor([w.count], seed: 8), testTensor([w.count], seed: 9, scale: 0.2, shift: 1))
        let evalFused = { (t: [Tensor]) in batchNormReLUMaxPool2x2(t[0], mean: runMean, variance: runVariance, weight: t[1], bias: t[2]) }
        let evalLayered = { (t: [Tensor]) in
            maxPool2d(relu(batchNorm(t[0], mean: runMean, variance: runVariance, weight: t[1], bias: t[2])), kernelSize: (2, 2))
        }
        expectClose(evalFused([x, w, b]).scalars, evalLayered([x, w, b]).scalars, relative: 1e-5, absolute: 1e-6, sourceLocation: sourceLocation)
        let (_, dEvalFused) = valueAndGradient(at: [x, w, b]) { t in (evalFused(t) * cotangent).sum() }
        let (_, dEvalLayered) = valueAndGradient(at: [x, w, b]) { t in (evalLayered(t) * cotangent).sum() }
        for (a, e) in zip(dEvalFused, dEvalLayered) {
            expectClose(a.scalars, e.scalars, relative: 1e-4, absolute: 1e-5, sourceLocation: sourceLocation)
        }
    }

    @Test func matchesBatchNormReLUMaxPoolOnAwkwardShapes() {
        // Odd sides leave a last row or column out of every window; widths of 16 and more take the
        // eight-window vector path (35: two vector blocks and a scalar tail); a batch of one.
        for (i, shape) in [[1, 3, 5, 7], [2, 4, 6, 6], [3, 2, 9, 4], [2, 3, 4, 16], [1, 2, 3, 35], [4, 1, 2, 2]].enumerated() {
            let c = shape[1]
            expectMatches(testTensor(shape, seed: UInt64(10 + i), scale: 2, shift: 0.3),
                          testTensor([c], seed: 30, scale: 0.5, shift: 1), testTensor([c], seed: 31, scale: 0.2))
        }
    }

    @Test func tiesGoToTheFirstMaximumAsMaxPoolingTakesThem() {
        // Values on a coarse grid tie often inside a window, at positive and at clamped values.
        let x = Tensor(testValues(2 * 2 * 6 * 18, seed: 4).map { ($0 * 2).rounded() }, shape: [2, 2, 6, 18])
        expectMatches(x, Tensor([1, -0.5] as [Float]), Tensor([0.25, 0] as [Float]))
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Each channel holds the half-integers −34.5 … 34.5 once, in a scrambled order: mean 0, and no window's
        // maximum nor any normalized value within a finite-difference step of a kink.
        let shape = [2, 2, 5, 7]
        var values = [Float]()
        for n in 0..<2 { for c in 0..<2 { for i in 0..<35 { values.append(Float(((n * 35 + i) * 37 + c * 11) % 70) - 34.5) } } }
        let x = Tensor(values, shape: shape)
        let w = Tensor([1.3, -1.1] as [Float]), b = Tensor(zeros: [2])
        #expect(batchNorm(x, weight: w, bias: b).output.scalars.allSatisfy { abs($0) > 0.015 })
        checkGradients([x, w, b]) { t in batchNormReLUMaxPool2x2(t[0], weight: t[1], bias: t[2]).output }
        let mean = Tensor([0.25, -0.25] as [Float]), variance = Tensor([100, 64] as [Float])
        checkGradients([x, w, b]) { t in batchNormReLUMaxPool2x2(t[0], mean: mean, variance: variance, weight: t[1], bias: t[2]) }
    }
}
