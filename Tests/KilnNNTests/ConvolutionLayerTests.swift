import KilnNN
import KilnTestSupport
import Testing

@Suite struct ConvolutionLayerTests {
    @Test func conv2dMatchesPyTorch() throws {
        // Gradients summed over many products round in float32 to up to 1e-6 beyond 1e-5 relative
        // (measured 6.1e-7, 9.9e-7 and 1.9e-7): each case allows a little more than its own.
        try LayerFixture("conv2d_same").check(Conv2d(3, 4, kernelSize: (4, 4), padding: .same, dilation: (1, 2)), absolute: 8e-7)
        try LayerFixture("conv2d_grouped").check(Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2), absolute: 1.2e-6)
        try LayerFixture("conv2d_same_odd").check(Conv2d(2, 3, kernelSize: (3, 5), padding: .same))
        try LayerFixture("conv2d_per_axis").check(Conv2d(2, 3, kernelSize: (3, 2), padding: [1, 2]), absolute: 3e-7)
        try LayerFixture("conv2d_valid").check(Conv2d(2, 3, kernelSize: 3, padding: .valid))
    }

    @Test func conv1dMatchesPyTorch() throws {
        try LayerFixture("conv1d").check(Conv1d(3, 4, kernelSize: 3, stride: 2, padding: 1, dilation: 2))
        // An even kernel: PyTorch puts the odd zero after the sequence.
        try LayerFixture("conv1d_same").check(Conv1d(3, 4, kernelSize: 4, padding: .same))
        try LayerFixture("conv1d_same_dilated").check(Conv1d(2, 3, kernelSize: 3, padding: .same, dilation: 3))
    }

    /// ConvTranspose2d's `.same` is the adjoint of Conv2d's, odd totals included: ⟨conv(y), x⟩ = ⟨y, convᵀ(x)⟩.
    @Test func sameTransposedConvolutionIsTheAdjointOfSameConvolution() {
        let conv = Conv2d(2, 3, kernelSize: (4, 3), padding: .same, dilation: (1, 2), bias: false, generator: RandomGenerator(seed: 7))
        let transposed = ConvTranspose2d(3, 2, kernelSize: (4, 3), padding: .same, dilation: (1, 2), bias: false,
                                         generator: RandomGenerator(seed: 8))
        transposed.weight = conv.weight
        let y = testTensor([2, 2, 5, 6], seed: 9), x = testTensor([2, 3, 5, 6], seed: 10)
        let forward = conv(y), adjoint = transposed(x)
        #expect(forward.shape == [2, 3, 5, 6] && adjoint.shape == [2, 2, 5, 6])
        let lhs = (forward * x).sum().item, rhs = (y * adjoint).sum().item
        #expect(abs(lhs - rhs) <= 1e-4 * abs(lhs))
        checkGradients([x]) { transposed($0[0]) }
    }

    @Test func oneAmountPadsEveryAxisAndPerAxisAmountsPadEachAxis() {
        let x = testTensor([1, 1, 4, 5], seed: 11)
        let same = Conv2d(1, 1, kernelSize: 3, padding: 1, generator: RandomGenerator(seed: 12))
        let perAxis = Conv2d(1, 1, kernelSize: 3, padding: [1, 1], generator: RandomGenerator(seed: 12))
        #expect(same(x).scalars == perAxis(x).scalars && same(x).shape == [1, 1, 4, 5])
        #expect(Padding.explicit([2]) == 2 && Padding.explicit([1, 0]) == [1, 0])
    }

    @Test func paddingPyTorchRejectsStopsWithAClearMessage() async {
        let strided = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(1, 1, kernelSize: 3, stride: 2, padding: .same)
        }
        let stridedText = String(decoding: strided?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stridedText.contains("Conv2d: padding .same needs stride 1, got [2, 2]"))
        let amounts = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv1d(1, 1, kernelSize: 3, padding: [1, 2])
        }
        let amountsText = String(decoding: amounts?.standardErrorContent ?? [], as: UTF8.self)
        #expect(amountsText.contains("Conv1d: padding [1, 2] needs one amount"))
    }

    @Test func convTranspose2dMatchesPyTorch() throws {
        try LayerFixture("conv_transpose").check(
            ConvTranspose2d(4, 6, kernelSize: (3, 2), stride: (2, 1), padding: [1, 0], outputPadding: (1, 0),
                            dilation: (1, 2), groups: 2))
        // Float32 rounding of the summed gradients: 5.0e-7 beyond 1e-5 relative.
        try LayerFixture("conv_transpose_plain").check(ConvTranspose2d(3, 2, kernelSize: 3, stride: 2), absolute: 7e-7)
    }

    @Test func convTranspose2dGradientsMatchFiniteDifferences() {
        let x = testTensor([1, 4, 3, 3], seed: 1), w = testTensor([4, 3, 2, 3], seed: 2), b = testTensor([6], seed: 3)
        checkGradients([x, w, b]) { t in
            convTranspose2d(t[0], weight: t[1], bias: t[2], stride: (2, 1), padding: (0, 1), outputPadding: (1, 0), groups: 2)
        }
    }

    /// ⟨conv2d(y, W), x⟩ = ⟨y, convTranspose2d(x, W)⟩: the transposed convolution is the adjoint.
    @Test func convTranspose2dIsTheAdjointOfConv2d() {
        let w = testTensor([3, 2, 3, 3], seed: 4)
        let x = testTensor([2, 3, 4, 4], seed: 5)
        let y = testTensor([2, 2, 8, 8], seed: 6)
        let forward = conv2d(y, weight: w, stride: (2, 2), padding: (1, 1))
        let transposed = convTranspose2d(x, weight: w, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        #expect(transposed.shape == [2, 2, 8, 8])
        let lhs = (forward * x).sum().item, rhs = (y * transposed).sum().item
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)))
    }

    @Test func defaultInitializationIsUniformInTheFanInBound() {
        let conv = Conv2d(8, 16, kernelSize: 3, generator: RandomGenerator(seed: 1))
        let bound = 1 / Float(8 * 9).squareRoot()
        #expect(conv.weight.scalars.allSatisfy { abs($0) <= bound })
        #expect(conv.weight.scalars.max()! > 0.9 * bound)
        #expect(conv.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        let transposed = ConvTranspose2d(8, 4, kernelSize: 2, generator: RandomGenerator(seed: 2))
        let transposedBound = 1 / Float(4 * 4).squareRoot()
        #expect(transposed.weight.shape == [8, 4, 2, 2])
        #expect(transposed.weight.scalars.allSatisfy { abs($0) <= transposedBound })
        #expect(transposed.weight.scalars.max()! > 0.8 * transposedBound)
    }
}
