import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct MultiHeadAttentionTests {
    private static let variants: [(String, () -> MultiHeadAttention)] = [
        ("plain", { MultiHeadAttention(dimension: 8, heads: 2, generator: RandomGenerator(seed: 1)) }),
        ("rotary", { MultiHeadAttention(dimension: 8, heads: 2, positions: .rotary(RotaryEmbedding(dimension: 4)),
                                        generator: RandomGenerator(seed: 2)) }),
        ("alibi", { MultiHeadAttention(dimension: 8, heads: 4, positions: .alibi, generator: RandomGenerator(seed: 3)) }),
        ("grouped, rotary, gated elementwise", { MultiHeadAttention(dimension: 16, heads: 4, keyValueHeads: 2,
                                                                    positions: .rotary(RotaryEmbedding(dimension: 4)),
                                                                    gate: .elementwise, generator: RandomGenerator(seed: 4)) }),
        ("gated headwise", { MultiHeadAttention(dimension: 8, heads: 2, keyValueHeads: 1, gate: .headwise,
                                                generator: RandomGenerator(seed: 5)) }),
        ("sigmoid with a fixed bias", { MultiHeadAttention(dimension: 8, heads: 2, normalizer: .sigmoid(bias: -2),
                                                           generator: RandomGenerator(seed: 6)) }),
        ("softplus re-weighted", { MultiHeadAttention(dimension: 8, heads: 2, normalizer: .softplusReweighted(),
                                                      generator: RandomGenerator(seed: 8)) }),
    ]

    /// The weights the lab reads are the causal softmax of the scaled query–key scores, from the
    /// layer's own projections, computed here with plain loops.
    @Test func attentionWeightsAreTheCausalSoftmaxOfTheScores() {
        let layer = MultiHeadAttention(dimension: 8, heads: 2, generator: RandomGenerator(seed: 1))
        let x = testTensor([2, 5, 8], seed: 3)
        let weights = layer.attentionWeights(x)
        #expect(weights.shape == [2, 2, 5, 5])
        let parts = layer.qkv!(x).split(size: 8, axis: 2).map { $0.reshaped([2, 5, 2, 4]).transposed(1, 2).contiguous() }
        let expected = referenceAttention(query: parts[0], key: parts[1], value: identityValues(5).expanded(to: [2, 2, 5, 5]).contiguous(),
                                          causal: true, score: dotScore(scale: 0.5)) { scores, visible in
            let top = zip(scores, visible).filter(\.1).map(\.0).max()!
            let e = zip(scores, visible).map { $1 ? Foundation.exp($0 - top) : 0 }
            return e.map { $0 / e.reduce(0, +) }
        }
        expectClose(weights.scalars, expected, relative: 1e-5, absolute: 1e-6)
    }

    /// Decoding one token at a time through the cache gives the full causal forward's rows, whether
    /// the cache records gradients (joining by concatenation) or not (writing in place, growing past
    /// a reserve of 3).
    @Test func cachedDecodingEqualsTheFullCausalForward() {
        for (name, make) in Self.variants {
            let layer = make()
            let x = testTensor([2, 5, layer.dimension], seed: 7)
            let full = layer(x)
            for recording in [true, false] {
                let cache = KeyValueCache(capacity: 3)
                let decode = {
                    // A two-token prefix, then one token at a time.
                    var rows = [layer.forward(x.slice(axis: 1, 0..<2), mask: .none, cache: cache)]
                    for t in 2..<5 { rows.append(layer.forward(x.slice(axis: 1, t..<(t + 1)), mask: .none, cache: cache)) }
                    return Tensor.concatenate(rows, axis: 1)
                }
                let decoded = recording ? decode() : withoutGradient(decode)
                #expect(cache.count == 5, "\(name)")
                #expect(decoded.requiresGradient == recording, "\(name)")
                #expect(decoded.shape == full.shape, "\(name)")
                expectClose(decoded.scalars, full.scalars, relative: 1e-6, absolute: 1e-7)
            }
        }
    }

    /// The fused layout is PyTorch's: with grouped heads undone by repeating each key/value head's rows,
    /// a grouped layer equals a fused one, so key/value head g serves query heads 2g and 2g + 1.
    @Test func groupedHeadsShareKeysAndValuesWithConsecutiveQueryHeads() throws {
        let grouped = MultiHeadAttention(dimension: 8, heads: 4, keyValueHeads: 2, generator: RandomGenerator(seed: 9))
        let fused = MultiHeadAttention(dimension: 8, heads: 4)
        func repeatHeads(_ t: Tensor) -> Tensor {   // [2·2, ...] → [4·2, ...]: head g's two rows twice
            let rows = t.shape[0] / 2
            let heads = (0..<2).map { t.slice(axis: 0, ($0 * rows)..<(($0 + 1) * rows)) }
            return Tensor.concatenate(heads.flatMap { [$0, $0] }, axis: 0)
        }
        let state = grouped.stateDict()
        try fused.load(stateDict: [
            "qkv.weight": Tensor.concatenate([state["q.weight"]!, repeatHeads(state["k.weight"]!), repeatHeads(state["v.weight"]!)]),
            "qkv.bias": Tensor.concatenate([state["q.bias"]!, repeatHeads(state["k.bias"]!), repeatHeads(state["v.bias"]!)]),
            "proj.weight": state["proj.weight"]!, "proj.bias": state["proj.bias"]!,
        ])
        let x = testTensor([2, 3, 8], seed: 11)
        expectClose(grouped(x).scalars, fused(x).scalars, relative: 1e-6, absolute: 1e-7)
        #expect(Set(grouped.stateDict().keys) == ["q.weight", "q.bias", "k.weight", "k.bias", "v.weight", "v.bias", "proj.weight", "proj.bias"])
        #expect(state["k.weight"]!.shape == [4, 8])
    }

    /// Y′ = SDPA ⊙ σ(X·W_g) before the output projection: a zero gate halves every head, and a headwise
    /// gate driven far negative closes its head alone.
    @Test func outputGateScalesEachHeadAfterAttention() throws {
        let x = testTensor([1, 3, 4], seed: 13, scale: 0.5, shift: 1)   // every feature positive
        let plain = MultiHeadAttention(dimension: 4, heads: 2, generator: RandomGenerator(seed: 14))
        var identity = plain.stateDict()
        identity["proj.weight"] = Tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] as [Float], shape: [4, 4])
        identity["proj.bias"] = Tensor(zeros: [4])
        try plain.load(stateDict: identity)
        let y = plain(x).scalars

        let elementwise = MultiHeadAttention(dimension: 4, heads: 2, gate: .elementwise)
        try elementwise.load(stateDict: identity.merging(["gate.weight": Tensor(zeros: [4, 4])]) { $1 })
        expectClose(elementwise(x).scalars, y.map { $0 / 2 }, relative: 1e-6)

        let headwise = MultiHeadAttention(dimension: 4, heads: 2, gate: .headwise)
        let gate = Tensor([0, 0, 0, 0, -100, -100, -100, -100] as [Float], shape: [2, 4])
        try headwise.load(stateDict: identity.merging(["gate.weight": gate]) { $1 })
        let expected = y.enumerated().map { $0.offset % 4 < 2 ? $0.element / 2 : 0 }
        expectClose(headwise(x).scalars, expected, relative: 1e-6, absolute: 1e-30)
    }

    /// A bool [B, T] second input hides padding keys: the real prefix attends as if the padding were absent.
    @Test func paddingMaskHidesKeys() {
        let layer = MultiHeadAttention(dimension: 8, heads: 2, isCausal: false, generator: RandomGenerator(seed: 15))
        let x = testTensor([1, 4, 8], seed: 16)
        let keep = Tensor([true, true, true, false], shape: [1, 4])
        let masked = layer(x, keep).slice(axis: 1, 0..<3)
        expectClose(masked.scalars, layer(x.slice(axis: 1, 0..<3)).scalars, relative: 1e-6, absolute: 1e-7)
        let additive = Tensor([0, 0, 0, -Float.infinity], shape: [1, 1, 1, 4])
        expectClose(layer(x, additive).slice(axis: 1, 0..<3).scalars, masked.scalars, relative: 1e-6, absolute: 1e-7)
    }

    @Test func attentionGradientsMatchFiniteDifferences() {
        let layer = MultiHeadAttention(dimension: 8, heads: 2, keyValueHeads: 1, positions: .rotary(RotaryEmbedding(dimension: 4)),
                                       gate: .elementwise, generator: RandomGenerator(seed: 17))
        checkGradients([testTensor([1, 3, 8], seed: 18)]) { layer($0[0]) }
        let alibi = MultiHeadAttention(dimension: 4, heads: 2, positions: .alibi, gate: .headwise, generator: RandomGenerator(seed: 19))
        checkGradients([testTensor([2, 3, 4], seed: 20)]) { alibi($0[0]) }
    }
}

@Suite struct AttentionWeightDropoutTests {
    /// In evaluation mode the layer's dropout does nothing; in training mode it draws from the scope's
    /// generator, so the same seed gives the same output and another seed another.
    @Test func dropsInTrainingOnlyWithTheScopesGenerator() {
        let layer = MultiHeadAttention(dimension: 8, heads: 2, dropout: 0.5, generator: RandomGenerator(seed: 30))
        let plain = MultiHeadAttention(dimension: 8, heads: 2, generator: RandomGenerator(seed: 30))
        let x = testTensor([2, 4, 8], seed: 31)
        layer.eval()
        plain.eval()
        #expect(layer(x).scalars == plain(x).scalars)
        layer.train()
        func trained(seed: UInt64) -> [Float] { ExecutionScope(threads: 1, generator: RandomGenerator(seed: seed)).run { layer(x).scalars } }
        #expect(trained(seed: 1) == trained(seed: 1))
        #expect(trained(seed: 1) != trained(seed: 2))
        #expect(trained(seed: 1) != plain(x).scalars)
    }

    /// Gradients through dropped weights for softmax and sigmoid attention, with the mask fixed by a
    /// scope seeded afresh at each evaluation.
    @Test func gradientsWithAFixedMask() {
        for normalizer in [AttentionNormalizer.softmax, .sigmoid(bias: -1)] {
            let layer = MultiHeadAttention(dimension: 4, heads: 2, keyValueHeads: 1, normalizer: normalizer, dropout: 0.3,
                                           generator: RandomGenerator(seed: 32))
            checkGradients([testTensor([2, 3, 4], seed: 33)]) { xs in
                ExecutionScope(threads: 1, generator: RandomGenerator(seed: 34)).run { layer(xs[0]) }
            }
        }
    }
}
