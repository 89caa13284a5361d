import Kiln
import KilnTestSupport
import Testing

@Suite struct ConvolutionTests {
    static let fixtures = Fixtures.load("conv")
    /// name: (stride, padding, dilation, groups), as in scripts/fixtures/make_conv.py.
    static let cases: [String: ((Int, Int), (Int, Int), (Int, Int), Int)] = [
        "basic": ((1, 1), (0, 0), (1, 1), 1),
        "padded": ((1, 1), (1, 1), (1, 1), 1),
        "strided": ((2, 3), (1, 0), (1, 1), 1),
        "dilated": ((1, 1), (2, 2), (2, 2), 1),
        "grouped": ((1, 1), (1, 1), (1, 1), 2),
    ]

    @Test(arguments: ["basic", "padded", "strided", "dilated", "grouped"])
    func matchesPyTorch(_ name: String) {
        let f = Self.fixtures
        let (stride, padding, dilation, groups) = Self.cases[name]!
        let x = f["\(name).x"]!, w = f["\(name).w"]!, b = f["\(name).b"]!, cot = f["\(name).cot"]!
        let (y, grads) = valueAndGradient(at: [x, w, b]) { t in
            (conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding, dilation: dilation, groups: groups) * cot).sum()
        }
        let out = conv2d(x, weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
        #expect(out.shape == f["\(name).y"]!.shape)
        // The grouped case's summed gradients round in float32 to 4.2e-7 beyond 1e-5 relative.
        let absolute: Float = name == "grouped" ? 6e-7 : 1e-7
        expectClose(out.scalars, f["\(name).y"]!.scalars, relative: 1e-5, absolute: absolute)
        expectClose(grads[0].scalars, f["\(name).dx"]!.scalars, relative: 1e-5, absolute: absolute)
        expectClose(grads[1].scalars, f["\(name).dw"]!.scalars, relative: 1e-5, absolute: absolute)
        expectClose(grads[2].scalars, f["\(name).db"]!.scalars, relative: 1e-5, absolute: absolute)
        #expect(y.item.isFinite)
    }

    @Test func gradientCheck() {
        let x = testTensor([2, 2, 4, 4], seed: 3), w = testTensor([2, 1, 2, 3], seed: 4), b = testTensor([2], seed: 5)
        checkGradients([x, w, b]) { t in
            conv2d(t[0], weight: t[1], bias: t[2], stride: (2, 1), padding: (1, 1), dilation: (1, 2), groups: 2)
        }
    }

    @Test func largeBatchSpansSeveralChunksWithSameResult() {
        // 1×1 convolution with identity weights copies the input, whatever the chunking.
        let x = testTensor([300, 2, 30, 30], seed: 6)
        let identity = Tensor([1, 0, 0, 1] as [Float], shape: [2, 2, 1, 1])
        #expect(conv2d(x, weight: identity).scalars == x.scalars)
    }
}
