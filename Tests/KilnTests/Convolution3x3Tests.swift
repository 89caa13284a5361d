import Kiln
import KilnTestSupport
import Testing

/// The 3×3, stride-1 kernels (Winograd F(2×2, 3×3) and direct) against the lowered im2col path.
@Suite struct Convolution3x3Tests {
    /// Awkward shapes: (N, C, H, W, O, padding) with odd sizes, batch 1, channel counts off multiples of 8.
    static let shapes: [(Int, Int, Int, Int, Int, (Int, Int))] = [
        (1, 9, 7, 5, 5, (1, 1)),
        (3, 8, 6, 6, 16, (0, 0)),
        (2, 3, 5, 9, 10, (0, 1)),
        (2, 13, 4, 3, 3, (2, 1)),
        (1, 1, 11, 17, 7, (1, 1)),
        (5, 17, 3, 3, 9, (1, 2)),
    ]

    /// Output, input, weight and bias gradients under a fixed cotangent.
    static func passes(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ padding: (Int, Int), _ method: ConvolutionMethod) -> [Tensor] {
        let y = conv2d(x, weight: w, bias: b, padding: padding, method: method)
        let cotangent = testTensor(y.shape, seed: 7)
        let (_, grads) = valueAndGradient(at: [x, w, b]) { t in
            (conv2d(t[0], weight: t[1], bias: t[2], padding: padding, method: method) * cotangent).sum()
        }
        return [y] + grads
    }

    /// The anchor CNN's two layers at the last, partial batch of an epoch (96 images), split over two
    /// threads, as training meets them. A weight-gradient entry sums 75,264 products (conv1), so the
    /// two summation orders differ by rounding in proportion to the tensor's scale.
    @Test(arguments: [(ConvolutionMethod.direct, 1, 32, 28), (.winograd, 32, 64, 14)])
    func anchorLayersAtAPartialBatch(_ method: ConvolutionMethod, _ c: Int, _ o: Int, _ side: Int) {
        ExecutionScope(threads: 2, generator: RandomGenerator(seed: 0)).run {
            let x = testTensor([96, c, side, side], seed: 11), k = testTensor([o, c, 3, 3], seed: 12), b = testTensor([o], seed: 13)
            let expected = Self.passes(x, k, b, (1, 1), .lowered), actual = Self.passes(x, k, b, (1, 1), method)
            for (a, e) in zip(actual, expected) {
                let scale = e.scalars.map(abs).max() ?? 0
                expectClose(a.scalars, e.scalars, relative: 1e-5, absolute: 3e-5 * scale)
            }
        }
    }

    @Test(arguments: [ConvolutionMethod.winograd, .direct])
    func matchesLoweredPath(_ method: ConvolutionMethod) {
        for (seed, (n, c, h, w, o, padding)) in Self.shapes.enumerated() {
            let s = UInt64(3 * seed)
            let x = testTensor([n, c, h, w], seed: s + 1), k = testTensor([o, c, 3, 3], seed: s + 2), b = testTensor([o], seed: s + 3)
            let expected = Self.passes(x, k, b, padding, .lowered), actual = Self.passes(x, k, b, padding, method)
            for (a, e) in zip(actual, expected) {
                #expect(a.shape == e.shape)
                // Sums of up to 153 products of values below 1 in magnitude: rounding stays near 1e-6.
                expectClose(a.scalars, e.scalars, relative: 1e-5, absolute: 1e-5)
            }
        }
    }

    /// The PyTorch fixtures' 3×3 stride-1 cases (which the automatic choice sends to the direct
    /// kernel, having few channels) through each kernel.
    @Test(arguments: [ConvolutionMethod.winograd, .direct], ["basic", "padded"])
    func matchesPyTorch(_ method: ConvolutionMethod, _ name: String) {
        let f = ConvolutionTests.fixtures
        let padding = ConvolutionTests.cases[name]!.1
        let x = f["\(name).x"]!, w = f["\(name).w"]!, b = f["\(name).b"]!, cot = f["\(name).cot"]!
        let (_, grads) = valueAndGradient(at: [x, w, b]) { t in
            (conv2d(t[0], weight: t[1], bias: t[2], padding: padding, method: method) * cot).sum()
        }
        let y = conv2d(x, weight: w, bias: b, padding: padding, method: method)
        // Winograd's transforms round differently from a plain sum: up to about 1e-6 on values near 5.
        let absolute: Float = method == .winograd ? 2e-6 : 1e-7
        for (actual, key) in zip([y] + grads, ["y", "dx", "dw", "db"]) {
            expectClose(actual.scalars, f["\(name).\(key)"]!.scalars, relative: 1e-5, absolute: absolute)
        }
    }

    @Test(arguments: [ConvolutionMethod.winograd, .direct])
    func gradientCheck(_ method: ConvolutionMethod) {
        let x = testTensor([2, 3, 5, 4], seed: 11), w = testTensor([2, 3, 3, 3], seed: 12), b = testTensor([2], seed: 13)
        checkGradients([x, w, b]) { t in conv2d(t[0], weight: t[1], bias: t[2], padding: (1, 0), method: method) }
    }

    @Test func automaticChoiceTakesTheDirectKernelForFewChannels() {
        // 1 input channel: every pass goes direct (Winograd would round the 1 up to 8).
        let x = testTensor([2, 1, 6, 6], seed: 21), w = testTensor([16, 1, 3, 3], seed: 22)
        let automatic = Self.passes(x, w, Tensor(zeros: [16]), (1, 1), .automatic)
        let direct = Self.passes(x, w, Tensor(zeros: [16]), (1, 1), .direct)
        for (a, d) in zip(automatic, direct) { #expect(a.scalars == d.scalars) }
    }
}
