import KilnNN
import KilnTestSupport
import Testing

@Suite struct PoolingTests {
    @Test func maxPoolMatchesPyTorch() throws {
        try LayerFixture("maxpool_2x2").check(MaxPool2d(2))
        try LayerFixture("maxpool_padded").check(MaxPool2d(3, stride: 2, padding: 1))
        try LayerFixture("maxpool_dilated").check(MaxPool2d(kernelSize: (3, 2), stride: (1, 1), padding: (1, 1), dilation: (2, 1)))
    }

    @Test func avgPoolMatchesPyTorch() throws {
        try LayerFixture("avgpool_include").check(AvgPool2d(3, stride: 2, padding: 1))
        try LayerFixture("avgpool_exclude").check(
            AvgPool2d(kernelSize: (3, 2), stride: (2, 1), padding: (1, 1), countIncludePad: false))
        try LayerFixture("adaptive_avgpool").check(AdaptiveAvgPool2d(outputSize: (3, 4)))
    }

    @Test func ceilModeMatchesPyTorch() throws {
        try LayerFixture("maxpool_ceil").check(MaxPool2d(3, stride: 2, ceilMode: true))
        try LayerFixture("maxpool_ceil_2x2").check(MaxPool2d(2, ceilMode: true))
        try LayerFixture("maxpool_ceil_padded").check(MaxPool2d(2, stride: 2, padding: 1, ceilMode: true))
        try LayerFixture("avgpool_ceil_include").check(AvgPool2d(3, stride: 2, padding: 1, ceilMode: true))
        try LayerFixture("avgpool_ceil_exclude").check(
            AvgPool2d(kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false, ceilMode: true))
        try LayerFixture("avgpool_ceil_nopad").check(AvgPool2d(3, stride: 2, ceilMode: true))
    }

    /// PyTorch's `pooling_output_shape`: rounding up keeps a last window only if it starts inside the
    /// input or its left padding.
    @Test func ceilModeKeepsALastWindowThatStartsInsideTheInput() {
        #expect(poolOutputSize(7, kernel: 2, stride: 2, padding: 0, ceilMode: false) == 3)
        #expect(poolOutputSize(7, kernel: 2, stride: 2, padding: 0, ceilMode: true) == 4)
        // 5 + 2·1 padded: a 4th window would start at 6 ≥ 5 + 1, in the right padding, so it is dropped.
        #expect(poolOutputSize(5, kernel: 2, stride: 2, padding: 1, ceilMode: true) == 3)
        #expect(poolOutputSize(6, kernel: 2, stride: 2, padding: 0, ceilMode: true) == 3)
        #expect(poolOutputSize(8, kernel: 3, stride: 2, padding: 0, dilation: 2, ceilMode: true) == 3)
        #expect(poolOutputSize(2, kernel: 3, stride: 2, padding: 0, ceilMode: false) == 0)
        // A 1×1 input, kernel 2 and stride 2 with ceil mode: one window holding the element, its mean the element.
        let x = Tensor([3, 5] as [Float], shape: [1, 2, 1, 1])
        #expect(avgPool2d(x, kernelSize: (2, 2), ceilMode: true).scalars == [3, 5])
        #expect(maxPool2d(x, kernelSize: (2, 2), ceilMode: true).scalars == [3, 5])
    }

    @Test func maxPoolIndicesAndGradientGoToTheArgmax() {
        let x = Tensor([1, 5, 2, 0,
                        3, 4, 7, 7,
                        9, 8, 1, 1,
                        8, 9, 2, 2] as [Float], shape: [1, 1, 4, 4])
        let (y, indices) = maxPool2dWithIndices(x, kernelSize: (2, 2))
        #expect(y.scalars == [5, 7, 9, 2])
        #expect(indices.integers == [1, 6, 8, 14])
        let g = gradient(at: x) { maxPool2d($0, kernelSize: (2, 2)).sum() }
        #expect(g.scalars == [0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    }

    @Test func poolingGradientsMatchFiniteDifferences() {
        // Distinct values keep each window's maximum unique under the finite-difference step.
        let x = Tensor((0..<50).map { Float(($0 * 37) % 50) / 10 }, shape: [1, 2, 5, 5])
        checkGradients([x]) { maxPool2d($0[0], kernelSize: (3, 2), stride: (2, 1), padding: (1, 1)) }
        let y = testTensor([2, 1, 5, 6], seed: 8)
        checkGradients([y]) { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false) }
        checkGradients([y]) { adaptiveAvgPool2d($0[0], outputSize: (2, 4)) }
    }

    @Test func ceilModeGradientsMatchFiniteDifferences() {
        let x = Tensor((0..<70).map { Float(($0 * 37) % 70) / 10 }, shape: [1, 2, 5, 7])
        checkGradients([x]) { maxPool2d($0[0], kernelSize: (2, 2), ceilMode: true) }
        checkGradients([x]) {
            maxPool2d($0[0], kernelSize: (3, 2), stride: (2, 2), padding: (1, 1), ceilMode: true)
        }
        let y = testTensor([2, 1, 6, 7], seed: 10)
        checkGradients([y]) { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true) }
        checkGradients([y]) {
            avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false, ceilMode: true)
        }
    }

    @Test func adaptivePoolToOneIsTheMean() {
        let x = testTensor([2, 3, 4, 5], seed: 9)
        expectClose(AdaptiveAvgPool2d(1)(x).scalars, x.mean(axes: [2, 3]).scalars, relative: 1e-6)
    }
}
