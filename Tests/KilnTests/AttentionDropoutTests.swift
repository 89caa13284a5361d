import Kiln
import KilnTestSupport
import Testing

/// Dropout on the attention weights (PyTorch's `dropout_p`): the composed path with a mask drawn from
/// the generator given, each weight zeroed with probability p and the rest scaled by 1/(1 − p).
@Suite struct AttentionDropoutTests {
    private let q = testTensor([2, 2, 3, 4], seed: 21), k = testTensor([2, 2, 5, 4], seed: 22), v = testTensor([2, 2, 5, 3], seed: 23)

    /// The result is the undropped softmax weights times the generator's Bernoulli(1 − p) mask over
    /// 1 − p, times the values: the mask drawn once, `[B, H, Tq, Tk]`, in order.
    @Test func droppedWeightsAreTheSeededMaskOverOneMinusP() {
        let p: Float = 0.3, scale: Float = 0.5
        let out = scaledDotProductAttention(query: q, key: k, value: v, scale: scale, dropout: p, generator: RandomGenerator(seed: 7))
        let keep = Tensor.bernoulli([2, 2, 3, 5], probability: 1 - p, dtype: .float32, generator: RandomGenerator(seed: 7))
        let weights = (q.matmul(k.transposed()) * scale).softmax(axis: -1)
        let expected = (weights * keep / (1 - p)).matmul(v)
        expectClose(out.scalars, expected.scalars, relative: 1e-6, absolute: 1e-7)
        #expect(keep.scalars.contains(0) && keep.scalars.contains(1))
    }

    /// At p = 0 nothing is drawn and the result is the undropped one, bit for bit, on the path chosen without dropout.
    @Test func zeroDropoutDrawsNothingAndChangesNothing() {
        let generator = RandomGenerator(seed: 9), before = generator.state
        let plain = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal)
        let zero = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal, dropout: 0, generator: generator)
        #expect(zero.scalars == plain.scalars)
        #expect(generator.state == before)
    }

    /// The backward of the composed path with dropout, under causal masking and grouped heads, with
    /// the same mask at every evaluation (a generator seeded afresh each call).
    @Test func gradientsThroughDroppedWeights() {
        let q = testTensor([1, 4, 3, 2], seed: 24), k = testTensor([1, 2, 3, 2], seed: 25), v = testTensor([1, 2, 3, 2], seed: 26)
        checkGradients([q, k, v]) { xs in
            scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: .causal, dropout: 0.4,
                                      generator: RandomGenerator(seed: 27))
        }
    }
}
