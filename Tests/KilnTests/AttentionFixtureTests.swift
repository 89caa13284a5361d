import Foundation
import Kiln
import KilnTestSupport
import Testing

/// Both attention implementations against PyTorch's `scaled_dot_product_attention` (forward and the
/// gradients of Σ out·dout), from `scripts/fixtures/make_attention.py`.
@Suite struct AttentionFixtureTests {
    static let fixtures = Fixtures.load("attention")

    /// Output and gradients of one fixture case under `mask` and `scale`, compared to 1e-5 relative
    /// (plus 1e-6 absolute: gradient elements that cancel to about 1e-3 carry float32 rounding of
    /// about 1e-7, measured).
    func expectMatchesTorch(_ name: String, mask: (Tensor) -> AttentionMask, scale: Float? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let f = Self.fixtures
        let (q, k, v, dout) = (f["\(name)_q"]!, f["\(name)_k"]!, f["\(name)_v"]!, f["\(name)_dout"]!)
        for implementation in AttentionImplementation.allCases {
            var out = Tensor(0)
            let (_, grads) = valueAndGradient(at: [q, k, v]) { xs in
                out = scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask(q),
                                                scale: scale, implementation: implementation)
                return (out * dout).sum()
            }
            for (actual, expected) in zip([out] + grads, ["out", "dq", "dk", "dv"]) {
                expectClose(actual.scalars, f["\(name)_\(expected)"]!.scalars, relative: 1e-5, absolute: 1e-6,
                            sourceLocation: sourceLocation)
            }
        }
    }

    @Test func causal() { expectMatchesTorch("causal", mask: { _ in .causal }) }

    /// Key padding; the second batch element has no real key, and its queries get zeros.
    @Test func keyPadding() {
        let keys = Self.fixtures["padding_attn_mask"]!
        expectMatchesTorch("padding", mask: { _ in .keyPadding(keys.reshaped([keys.shape[0], keys.shape[3]])) })
    }

    /// An additive bias with a row of -inf (zeros out) and a row mostly -inf.
    @Test func additiveBias() {
        let bias = Self.fixtures["additive_finite_bias"]!.maskedFill(Self.fixtures["additive_hidden"]!, -Float.infinity)
        expectMatchesTorch("additive", mask: { _ in AttentionMask(additive: bias) })
    }

    @Test func groupedKeyHeads() { expectMatchesTorch("grouped", mask: { _ in .causal }) }

    @Test func explicitScale() { expectMatchesTorch("scaled", mask: { _ in .none }, scale: 0.3) }

    /// Kiln's causal mask for fewer queries than keys is PyTorch's bottom-right-aligned triangle.
    @Test func causalContinuingAPrefix() { expectMatchesTorch("prefix", mask: { _ in .causal }) }

    /// The char-LM's shape, B=2, H=4, T=128, D=32, causal; inputs are `testTensor`'s, seeds 1 to 4.
    @Test func charLMShape() throws {
        let url = try #require(Bundle.module.url(forResource: "attention_charlm", withExtension: "safetensors",
                                                 subdirectory: "Fixtures"))
        let expected = try Safetensors.read(url.path).tensors
        let shape = [2, 4, 128, 32]
        let (q, k, v, dout) = (testTensor(shape, seed: 1), testTensor(shape, seed: 2), testTensor(shape, seed: 3),
                               testTensor(shape, seed: 4))
        for implementation in AttentionImplementation.allCases {
            var out = Tensor(0)
            let (_, grads) = valueAndGradient(at: [q, k, v]) { xs in
                out = scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: .causal,
                                                implementation: implementation)
                return (out * dout).sum()
            }
            for (actual, name) in zip([out] + grads, ["out", "dq", "dk", "dv"]) {
                expectClose(actual.scalars, expected[name]!.scalars, relative: 1e-5, absolute: 1e-6)
            }
        }
    }
}
