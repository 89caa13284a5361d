/// The feature map of Katharopoulos et al. 2020: `φ(x) = elu(x) + 1`, positive everywhere.
public func eluPlusOne(_ x: Tensor) -> Tensor { elu(x) + 1 }

/// What the weighted sum of linear attention is divided by.
public enum LinearAttentionNormalization: Sendable {
    /// `φ(qᵢ)ᵀ·Σⱼ φ(kⱼ)`: the weights of each query sum to 1 (Katharopoulos et al. 2020).
    case kernelSum
    /// The number of keys the query sees: the linear self-attention of the in-context learning
    /// analyses (von Oswald et al. 2023; Ahn et al. 2023), a plain mean of `φ(qᵢ)ᵀφ(kⱼ)·vⱼ`.
    case keyCount
}

/// Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs"):
///
///     yᵢ = φ(qᵢ)ᵀ·Σⱼ φ(kⱼ)·vⱼᵀ / φ(qᵢ)ᵀ·Σⱼ φ(kⱼ)
///
/// over all keys, or with `causal` over keys `j ≤ i + Tk − Tq` by running sums. The sums over keys
/// are formed first, so time and memory are linear in the sequence length: the `Tq × Tk` weights
/// `φ(qᵢ)ᵀφ(kⱼ) / Σₘ φ(qᵢ)ᵀφ(kₘ)` are never built.
///
/// - `query` is `[B, H, Tq, D]`, `key` `[B, Hkv, Tk, D]` and `value` `[B, Hkv, Tk, Dv]` with `Hkv`
///   dividing `H` (grouped key/value heads); the result is `[B, H, Tq, Dv]`.
/// - `featureMap` is applied to queries and keys elementwise or row-wise (it must keep the shape);
///   with ``LinearAttentionNormalization/kernelSum`` it must give positive dot products.
/// - `normalization` chooses the divisor (``LinearAttentionNormalization``).
public func linearAttention(query: Tensor, key: Tensor, value: Tensor, causal: Bool = false,
                           featureMap: (Tensor) -> Tensor = eluPlusOne,
                           normalization: LinearAttentionNormalization = .kernelSum) -> Tensor {
    let heads = GroupedHeads(op: "linearAttention", query: query, key: key, value: value)
    let queryFeatures = featureMap(query), keyFeatures = featureMap(key)
    precondition(queryFeatures.shape == query.shape && keyFeatures.shape == key.shape,
                 "linearAttention: the feature map must keep the shape, got \(query.shape) → \(queryFeatures.shape)")
    let sums = KeySummary(features: keyFeatures, value: value, causal: causal, heads: heads)
    let weighted = sums.keyValueProduct(queryFeatures)
    switch normalization {
    case .kernelSum: return weighted / sums.keyProduct(queryFeatures)
    case .keyCount: return weighted / sums.count
    }
}
