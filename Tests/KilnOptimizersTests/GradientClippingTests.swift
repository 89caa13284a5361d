import Kiln
import KilnNN
import KilnOptimizers
import Testing

@Suite struct GradientClippingTests {
    @Test func normClippingReturnsTheGlobalNormAndScales() {
        var grads = Gradients(["a": Tensor([3, -4] as [Float]), "b": Tensor([12] as [Float], shape: [1, 1])])
        let norm = clipGradientNorm(&grads, maxNorm: 6.5)
        #expect(norm == 13)
        let scale: Float = 6.5 / (13 + 1e-6)
        #expect(grads["a"]!.scalars == [3 * scale, -4 * scale])
        #expect(grads["b"]!.scalars == [12 * scale])
        #expect(grads["b"]!.shape == [1, 1])
        #expect(abs(clipGradientNorm(&grads, maxNorm: 100) - 6.5) < 1e-5)
    }

    @Test func normBelowTheLimitLeavesGradientsAlone() {
        var grads = Gradients(["a": Tensor([3, -4] as [Float])])
        #expect(clipGradientNorm(&grads, maxNorm: 5.1) == 5)
        #expect(grads["a"]!.scalars == [3, -4])
    }

    @Test func valueClippingClamps() {
        var grads = Gradients(["a": Tensor([-3, 0.5, 2, -0.25] as [Float], shape: [2, 2])])
        clipGradientValues(&grads, maxValue: 1)
        #expect(grads["a"]!.scalars == [-1, 0.5, 1, -0.25])
    }
}
