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

    /// The faster of the two for `queries` queries attending to `keys` keys.
    public static func fastest(queries: Int, keys: Int) -> AttentionImplementation {
        .fused
    }
}
