/// How ``scaledDotProductAttention(query:key:value:mask:scale:implementation:)`` computes its result.
/// Both give the same values to within rounding and the same gradients.
public enum AttentionImplementation: String, CaseIterable, Sendable {
    /// The `[B, H, Tq, Tk]` scores materialized: batched matrix products on BLAS, a softmax and the
    /// product with the values, each recorded for autodiff.
    case composed
    /// One blocked kernel after FlashAttention-2 (Dao, 2023): an online softmax over tiles of keys
    /// that never holds more than a tile of scores, and a backward that recomputes the scores
    /// from the saved log-sum-exp of each row.
    case fused

    /// The faster of the two, forward and backward together, for `keys` keys per query, head
    /// dimension `dim`, with or without a causal mask.
    ///
    /// Fused, except for heads wider than 64 when there are few keys (≤ 32, where both take well
    /// under a millisecond per head and BLAS's wide products win) or, without a causal mask, many
    /// (≥ 1024, where the materialized products run on BLAS faster than the fused tiles; a causal
    /// mask lets the fused kernel skip half the tiles). Measured with `kiln bench attention`-style
    /// runs, H = 4, 4096 tokens a batch, T ∈ {16, 128, 1024}, D ∈ {32, 64, 128}, on 2 AVX2 cores
    /// shared with other work (noisy): the fused path took 1.5–4.5× less time at T = 128 for every
    /// D and mask, and at D = 32 for every T (3.8× at the char-LM's B=32, H=4, T=128, D=32, causal);
    /// the composed path took 0.7–0.9× the fused time at D = 128 with T = 16, and without a mask at
    /// T = 1024.
    public static func fastest(keys: Int, dim: Int, isCausal: Bool) -> AttentionImplementation {
        dim > 64 && (keys <= 32 || (!isCausal && keys >= 1024)) ? .composed : .fused
    }
}
