import Foundation

/// Attention `weights(Q·Kᵀ·scale + bias) · V` with the weights given by `normalizer`
/// (``AttentionNormalizer``), the shapes and mask of
/// ``scaledDotProductAttention(query:key:value:mask:scale:dropout:generator:implementation:)``.
///
/// - `query` is `[B, H, Tq, D]`, `key` `[B, Hkv, Tk, D]` and `value` `[B, Hkv, Tk, Dv]`, with `Hkv`
///   dividing `H` (grouped key/value heads); the result is `[B, H, Tq, Dv]`.
/// - `scale` defaults to `1/√D`; the mask's additive bias joins the scaled scores, and the pairs it
///   hides get weight 0 under every normalizer.
/// - `dropout` drops weights as PyTorch's `dropout_p` does, masks from `generator` (by default the
///   scope's ``Random/default``), under every normalizer; softmax with dropout above 0 takes the
///   composed path of ``scaledDotProductAttention(query:key:value:mask:scale:dropout:generator:implementation:)``.
///
/// ```swift
/// let y = attention(query: q, key: k, value: v, mask: .causal, normalizer: .sigmoid())
/// ```
public func attention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                      normalizer: AttentionNormalizer = .softmax, scale: Float? = nil,
                      dropout: Float = 0, generator: RandomGenerator? = nil) -> Tensor {
    // The weights from the scaled scores, the mask's allowed pairs and the sizes.
    let weigh: (_ scores: Tensor, _ allowed: Tensor?, _ heads: GroupedHeads) -> Tensor
    switch normalizer {
    case .softmax:
        return scaledDotProductAttention(query: query, key: key, value: value, mask: mask, scale: scale, dropout: dropout,
                                         generator: generator)
    case .sigmoid(let bias):
        weigh = { scores, _, heads in (scores + (bias ?? -Foundation.log(Float(heads.keys)))).sigmoid() }
    case .relu:
        weigh = { scores, _, heads in relu(scores) / Float(heads.keys) }
    case .softplusReweighted(let power):
        weigh = { scores, allowed, heads in
            softplusReweightedWeights(scores, allowed: allowed, headDimension: heads.depth, power: power)
        }
    }
    let heads = GroupedHeads(op: "attention(\(normalizer))", query: query, key: key, value: value)
    var scores = heads.scores(query, key) * (scale ?? 1 / Float(heads.depth).squareRoot())
    if let additive = mask.additive { scores = scores + additive }
    let allowed = mask.allowedScores(queries: heads.queries, keys: heads.keys)
    var weights = weigh(scores, allowed, heads)
    if let allowed { weights = Tensor.where(allowed, weights, Tensor(0)) }
    return heads.weightedSum(invertedDropout(weights, probability: dropout, generator: generator ?? Random.default), value)
}

/// The weights of ``AttentionNormalizer/softplusReweighted(power:)`` for `[B, H, Tq, Tk]` scores.
private func softplusReweightedWeights(_ scores: Tensor, allowed: Tensor?, headDimension: Int, power: Float) -> Tensor {
    precondition(headDimension >= 2, "attention(softplus_reweighted): the length scale log_d N needs a head dimension d ≥ 2, got \(headDimension)")
    precondition(power >= 1, "attention(softplus_reweighted): power must be at least 1, got \(power)")
    let lastAxis = scores.rank - 1
    // Nᵢ, the keys each row sees (at least 1, so a row that sees none stays finite and ends at 0).
    let visible = withoutGradient {
        allowed.map { $0.cast(to: .float32).expanded(to: scores.shape).sum(axis: lastAxis, keepingDims: true).clamped(min: 1) }
            ?? Tensor(Float(scores.shape[lastAxis]))
    }
    var weights = softplus(scores * (visible.log() / Foundation.log(Float(headDimension))))
    if let allowed { weights = Tensor.where(allowed, weights, Tensor(0)) }
    weights = rowNormalized(weights)
    guard power != 1 else { return weights }
    // Measured against the row's largest weight, so the power neither overflows nor underflows the row.
    let peak = weights.max(axes: [lastAxis], keepingDims: true).clamped(min: .leastNormalMagnitude)
    return rowNormalized((weights / peak).pow(power))
}

/// Non-negative rows divided by their sums along the last axis; an all-zero row stays zero.
private func rowNormalized(_ x: Tensor) -> Tensor {
    x / x.sum(axis: x.rank - 1, keepingDims: true).clamped(min: .leastNormalMagnitude)
}
