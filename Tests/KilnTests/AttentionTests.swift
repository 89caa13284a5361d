import Kiln
import KilnTestSupport
import Testing

@Suite struct AttentionTests {
    @Test func triangularPatternsAndIntegerRange() {
        #expect(Tensor.arange(0, 5).integers == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(5, 0, step: -2).integers == [5, 3, 1])
        #expect(Tensor.tril(rows: 2, columns: 3).booleans == [true, false, false, true, true, false])
        #expect(Tensor.triu(rows: 2, columns: 3, diagonal: 1).booleans == [false, true, true, false, false, true])
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        #expect(x.tril().scalars == [1, 0, 0, 4, 5, 0])
        #expect(x.triu(diagonal: -1).scalars == [1, 2, 3, 4, 5, 6])
        // A causal pattern for 2 queries continuing 3 cached keys sees the prefix: bottom-right aligned.
        #expect(AttentionMask.causalPattern(queries: 2, keys: 4).booleans == [true, true, true, false, true, true, true, true])
    }

    /// With identical keys every visible key weighs the same, so causal attention is the running mean of the values.
    @Test func causalAttentionOverEqualKeysIsTheRunningMean() {
        let values: [Float] = [2, 4, 9, 1]
        let q = Tensor(repeating: 0.3, shape: [1, 1, 4, 2]), k = Tensor(repeating: 0.7, shape: [1, 1, 4, 2])
        let v = Tensor(values, shape: [1, 1, 4, 1])
        let out = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal)
        expectClose(out.scalars, [2, 3, 5, 4], relative: 1e-6)
    }

    /// A query that may see no key gets zeros, not NaN; grouped key heads serve consecutive query heads.
    @Test func hiddenRowsAreZeroAndKeyHeadsAreShared() {
        let q = Tensor(repeating: 1, shape: [1, 2, 1, 2])
        let k = Tensor(repeating: 1, shape: [1, 1, 2, 2]), v = Tensor([3, 5] as [Float], shape: [1, 1, 2, 1])
        let open = scaledDotProductAttention(query: q, key: k, value: v)
        expectClose(open.scalars, [4, 4], relative: 1e-6)
        let none = scaledDotProductAttention(query: q, key: k, value: v, mask: .keyPadding(Tensor([false, false], shape: [1, 2])))
        #expect(none.scalars == [0, 0])
    }

    /// The shared gradient check under each kind of mask, grouped heads, on both implementations.
    @Test(arguments: AttentionImplementation.allCases)
    func gradientsUnderEachMask(_ implementation: AttentionImplementation) {
        let q = testTensor([1, 2, 3, 2], seed: 5), k = testTensor([1, 1, 4, 2], seed: 6), v = testTensor([1, 1, 4, 3], seed: 7)
        // Query 1 sees no key through the bias (a row of -inf), query 2 misses one.
        let hidden = Tensor([false, false, false, false, true, true, true, true, false, true, false, false], shape: [3, 4])
        let bias = testTensor([3, 4], seed: 8).maskedFill(hidden, -Float.infinity)
        let masks: [AttentionMask] = [
            .none, .causal,
            .keyPadding(Tensor([true, false, true, true], shape: [1, 4])),
            AttentionMask(additive: bias),
            AttentionMask(isCausal: true, allowed: Tensor([true, true, false, true], shape: [1, 1, 1, 4]), additive: bias),
        ]
        for mask in masks {
            checkGradients([q, k, v]) { xs in
                scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.7,
                                          implementation: implementation)
            }
        }
    }

    /// An additive bias that requires a gradient gets one (through the composed path, chosen for it).
    @Test func gradientOfTheAdditiveBias() {
        let q = testTensor([1, 2, 3, 2], seed: 5), k = testTensor([1, 2, 4, 2], seed: 6), v = testTensor([1, 2, 4, 3], seed: 7)
        checkGradients([q, k, v, testTensor([2, 1, 4], seed: 8)]) { xs in
            scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: AttentionMask(isCausal: true, additive: xs[3]))
        }
    }

    /// Pairs and key-head groups split across threads give the same bits as one thread.
    @Test func fusedResultDoesNotDependOnTheThreadCount() {
        let q = testTensor([2, 4, 70, 8], seed: 1), k = testTensor([2, 2, 70, 8], seed: 2), v = testTensor([2, 2, 70, 8], seed: 3)
        let results = [1, 2].map { threads in
            Threads.withCount(threads) {
                valueAndGradient(at: [q, k, v]) { xs in
                    scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: .causal, implementation: .fused)
                        .pow(2).sum()
                }
            }
        }
        #expect(results[0].value.scalars == results[1].value.scalars)
        for (one, two) in zip(results[0].gradients, results[1].gradients) { #expect(one.scalars == two.scalars) }
    }
}
