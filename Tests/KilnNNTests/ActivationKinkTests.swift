import KilnNN
import KilnTestSupport
import Testing

/// Gradients where the derivative is a convention follow PyTorch's (`scripts/fixtures/make_numerics.py`).
@Suite struct ActivationKinkTests {
    static let fixtures = Fixtures.load("kinks")

    /// `values` repeated `times` times, so the SIMD body and the scalar tail of a kernel both see them.
    static func repeated(_ values: Tensor, _ times: Int) -> [Float] {
        Array([[Float]](repeating: values.scalars, count: times).joined())
    }

    @Test func hardSwishGradientAtPlusMinusThree() {
        let points = Self.repeated(Self.fixtures["hardswish_x"]!, 3)
        let g = gradient(at: Tensor(points, shape: [points.count])) { hardSwish($0).sum() }
        expectClose(g.scalars, Self.repeated(Self.fixtures["hardswish_grad"]!, 3), relative: 1e-6)
    }

    @Test func preluGradientAtZeroIsTheSlope() {
        let points = Self.repeated(Self.fixtures["prelu_x"]!, 4)
        let x = Tensor(points, shape: [points.count])
        let (_, grads) = valueAndGradient(at: [x, Self.fixtures["prelu_slope"]!]) { prelu($0[0], weight: $0[1]).sum() }
        expectClose(grads[0].scalars, Self.repeated(Self.fixtures["prelu_grad_x"]!, 4), relative: 1e-6)
        expectClose(grads[1].scalars, Self.fixtures["prelu_grad_slope"]!.scalars.map { $0 * 4 }, relative: 1e-6)
    }
}
