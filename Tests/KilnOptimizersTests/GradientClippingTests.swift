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

    @Test func globalNormOfLargeGradientsIsExactAndTheSameOnAnyThreadCount() {
        // Blocks summed across threads: 3-4-5 pairs (each pair's squares sum to 25) in a gradient of
        // several blocks and an odd tail, and one whole block of 12s; squares of small integers add
        // exactly in Double, so the norm is exact.
        let pairs = 100_001, ones = 1 << 16
        let grads = Gradients(["a": Tensor((0..<(2 * pairs)).map { $0 % 2 == 0 ? 3 : -4 } as [Float]),
                               "b": Tensor(repeating: 12, shape: [ones])])
        let expected = (25 * Double(pairs) + 144 * Double(ones)).squareRoot()
        for threads in [1, 2, 3] {
            #expect(Threads.withCount(threads) { grads.globalNorm } == expected)
        }
    }

    @Test func valueClippingClamps() {
        var grads = Gradients(["a": Tensor([-3, 0.5, 2, -0.25] as [Float], shape: [2, 2])])
        clipGradientValues(&grads, maxValue: 1)
        #expect(grads["a"]!.scalars == [-1, 0.5, 1, -0.25])
    }
}
