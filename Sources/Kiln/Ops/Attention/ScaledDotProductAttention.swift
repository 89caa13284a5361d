import Foundation

/// Scaled dot-product attention, `softmax(Q·Kᵀ·scale + bias) · V`, with PyTorch's
/// `torch.nn.functional.scaled_dot_product_attention` semantics.
///
/// - `query` is `[B, H, Tq, D]`; `key` is `[B, Hkv, Tk, D]` and `value` `[B, Hkv, Tk, Dv]`, where
///   `Hkv` divides `H`: grouped key/value heads, each shared by `H / Hkv` consecutive query heads
///   (PyTorch's `enable_gqa=True`). The result is `[B, H, Tq, Dv]`.
/// - `scale` defaults to `1/√D`.
/// - `mask` hides query–key pairs and adds biases (``AttentionMask``). A query that may see no key
///   at all (every key hidden, or a bias row of -inf) gets zeros and passes no gradient, as in
///   PyTorch 2.13.
/// - `dropout` is PyTorch's `dropout_p`: each attention weight is zeroed with probability `dropout`
///   and the survivors scaled by `1/(1 − dropout)` (``invertedDropout(_:probability:generator:)``),
///   the masks drawn from `generator` (by default the scope's ``Random/default``). Like PyTorch's
///   function it drops whenever `dropout` is above 0: a layer passes 0 outside training.
/// - `implementation` defaults to ``AttentionImplementation/fastest(keys:dim:isCausal:)``. The fused
///   kernel treats the additive bias as a constant and has no dropout, so a bias that requires a
///   gradient, or `dropout` above 0, takes the composed path (asking for the fused one then stops
///   with a message). At `dropout` 0 nothing is drawn and the path is the one without dropout.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                                      scale: Float? = nil, dropout: Float = 0, generator: RandomGenerator? = nil,
                                      implementation: AttentionImplementation? = nil) -> Tensor {
    let heads = GroupedHeads(op: "scaledDotProductAttention", query: query, key: key, value: value)
    precondition(query.dtype == .float32 && key.dtype == .float32 && value.dtype == .float32,
                 "scaledDotProductAttention: expects float tensors, got \(query.dtype) \(query.shape), \(key.dtype) \(key.shape), \(value.dtype) \(value.shape)")
    let scale = scale ?? 1 / Float(query.shape[3]).squareRoot()
    precondition(dropout >= 0 && dropout <= 1, "scaledDotProductAttention: dropout \(dropout) outside [0, 1]")
    let biasNeedsGradient = mask.additive?.requiresGradient ?? false
    let chosen = implementation ?? (biasNeedsGradient || dropout > 0
        ? .composed : .fastest(keys: key.shape[2], dim: query.shape[3], isCausal: mask.isCausal))
    switch chosen {
    case .composed:
        return composedAttention(query: query, key: key, value: value, mask: mask, scale: scale, heads: heads,
                                 dropout: dropout, generator: generator)
    case .fused:
        precondition(!biasNeedsGradient, "scaledDotProductAttention: the fused implementation takes no gradient for the additive mask")
        precondition(dropout == 0, "scaledDotProductAttention: the fused implementation has no dropout, got \(dropout)")
        return FusedAttention.attention(query: query, key: key, value: value, mask: mask, scale: scale)
    }
}

/// The reference: scores materialized by batched matrix products (each group of query heads against
/// its shared key head, without copying keys or values), a softmax, dropout on the weights (none at
/// 0), and the product with the values.
private func composedAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, scale: Float,
                               heads: GroupedHeads, dropout: Float, generator: RandomGenerator?) -> Tensor {
    var scores = heads.scores(query, key) * scale
    if let additive = mask.additive { scores = scores + additive }
    if let allowed = mask.allowedScores(queries: heads.queries, keys: heads.keys) {
        scores = scores.maskedFill(.!allowed, -Float.infinity)
    }
    // Rows without a finite score get zeros: softmax runs on a row of zeros there, and its result is dropped.
    let seesAnyKey = withoutGradient { scores.max(axes: [-1], keepingDims: true) .> Tensor(-Float.infinity) }
    let weights = Tensor.where(seesAnyKey, scores, Tensor(0)).softmax(axis: -1)
    let kept = invertedDropout(Tensor.where(seesAnyKey, weights, Tensor(0)), probability: dropout, generator: generator ?? Random.default)
    return heads.weightedSum(kept, value)
}
