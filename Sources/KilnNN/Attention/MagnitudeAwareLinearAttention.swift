/// Magnitude-aware linear attention, MALA (Fan et al. 2025, "Rectifying Magnitude Neglect in Linear
/// Attention"). Plain linear attention divides `φ(qᵢ)ᵀφ(kⱼ)` by its row sum, so the norm of `φ(qᵢ)`
/// cancels and scaling a query leaves its weights unchanged. MALA keeps the magnitude with a
/// scaling factor `β` and an offset `γ` in place of the division:
///
///     sᵢⱼ = scale·φ(qᵢ)ᵀφ(kⱼ) / Nᵢ,   zᵢ = Σⱼ sᵢⱼ,   βᵢ = 1 + 1/zᵢ,   γᵢ = zᵢ / Nᵢ
///     yᵢ = Σⱼ (βᵢ·sᵢⱼ − γᵢ)·vⱼ
///
/// over the `Nᵢ` keys query `i` sees (all `Tk`, or with `causal` keys `j ≤ i + Tk − Tq`). Each row of
/// weights `βᵢ·sᵢⱼ − γᵢ` sums to 1, and as `φ(qᵢ)` grows the weights above the row's mean grow and
/// those below shrink, as softmax attention sharpens, but in proportion rather than exponentially.
/// The `1/Nᵢ` in `sᵢⱼ` and the default `scale` `1/√D` are those of the authors' implementation.
/// Computed from sums over keys (see ``linearAttention(query:key:value:causal:featureMap:normalization:)``),
/// in time and memory linear in the sequence length; `featureMap` must be positive.
///
/// `query` is `[B, H, Tq, D]`, `key` `[B, Hkv, Tk, D]` and `value` `[B, Hkv, Tk, Dv]` with `Hkv`
/// dividing `H`; the result is `[B, H, Tq, Dv]`.
public func magnitudeAwareLinearAttention(query: Tensor, key: Tensor, value: Tensor, causal: Bool = false,
                                          featureMap: (Tensor) -> Tensor = eluPlusOne, scale: Float? = nil) -> Tensor {
    let heads = GroupedHeads(op: "magnitudeAwareLinearAttention", query: query, key: key, value: value)
    let queryFeatures = featureMap(query), keyFeatures = featureMap(key)
    precondition(queryFeatures.shape == query.shape && keyFeatures.shape == key.shape,
                 "magnitudeAwareLinearAttention: the feature map must keep the shape, got \(query.shape) → \(queryFeatures.shape)")
    let sums = KeySummary(features: keyFeatures, value: value, causal: causal, heads: heads)
    let perKey = (scale ?? 1 / Float(heads.depth).squareRoot()) / sums.count
    let weighted = sums.keyValueProduct(queryFeatures) * perKey
    let total = sums.keyProduct(queryFeatures) * perKey
    let meanValue = sums.perQueryHead(sums.value) / sums.count
    return weighted * (1 + 1 / total) - total * meanValue
}
