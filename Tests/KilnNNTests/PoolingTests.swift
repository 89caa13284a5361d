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

    @Test func adaptivePoolToOneIsTheMean() {
        let x = testTensor([2, 3, 4, 5], seed: 9)
        expectClose(AdaptiveAvgPool2d(1)(x).scalars, x.mean(axes: [2, 3]).scalars, relative: 1e-6)
    }
}
