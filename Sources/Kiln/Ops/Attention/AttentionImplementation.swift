/// How ``scaledDotProductAttention(query:key:value:mask:scale:dropout:generator:implementation:)`` computes its result.
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
    /// Fused, except for heads of 64 and more with few keys (≤ 32: every product is tiny, and the
    /// fused kernel's per-row bookkeeping outweighs what it saves) and for heads wider than 64
    /// attending without a causal mask to many keys (≥ 1024: BLAS runs the materialized products
    /// faster than the fused tiles, and no masked tiles are skipped). Measured with the
    /// `kiln bench attention` workload (H = 4, 4096 tokens a batch) at T ∈ {16, 128, 1024},
    /// D ∈ {32, 64, 128}, causal and unmasked, on 2 AVX2 cores shared with other work (noisy, one
    /// run each): forward + backward, the fused path took 1.2–3.6× less time at T ≥ 128 except
    /// unmasked at T = 1024 with D = 128 (0.9×), and 2.9× less at the char-LM's shape (B = 32,
    /// H = 4, T = 128, D = 32, causal); at T = 16 it took 1.0–1.4× less with D = 32 and
    /// 0.6–0.9× (more time) with D ≥ 64.
    public static func fastest(keys: Int, dim: Int, isCausal: Bool) -> AttentionImplementation {
        if keys <= 32 && dim >= 64 { return .composed }
        if keys >= 1024 && dim > 64 && !isCausal { return .composed }
        return .fused
    }
}
