/// The Gaussian kernel of SOFT between rows: `exp(−‖aᵢ − bⱼ‖² / (2√D))` for `a` `[..., M, D]` and
/// `b` `[..., N, D]`, giving `[..., M, N]`.
public func gaussianAttentionKernel(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank >= 2 && b.rank == a.rank && a.shape.last == b.shape.last,
                 "gaussianAttentionKernel: rows of different widths, \(a.shape) and \(b.shape)")
    let depth = a.shape[a.rank - 1], last = a.rank - 1
    // ‖a − b‖² = ‖a‖² + ‖b‖² − 2·a·b
    let squaredDistance = (a * a).sum(axis: last, keepingDims: true) + (b * b).sum(axis: last, keepingDims: true).transposed()
        - 2 * a.matmul(b.transposed())
    return (squaredDistance * (-0.5 / Float(depth).squareRoot())).exp()
}

/// Softmax-free attention, SOFT (Lu et al. 2021, "SOFT: Softmax-free Transformer with Linear
/// Complexity"): the Gaussian kernel `S = exp(−‖qᵢ − kⱼ‖² / (2√D))` in place of softmax, with keys
/// tied to queries (`K = Q`) so that `S` is symmetric positive semi-definite, and approximated at
/// low rank through `m` bottleneck tokens `Q̃` (Nyström):
///
///     S·V ≈ S(Q, Q̃) · S(Q̃, Q̃)⁺ · S(Q̃, Q) · V
///
/// with the pseudo-inverse by Newton–Raphson iteration (``newtonPseudoInverse(_:iterations:)``).
/// Time and memory are `O(T·m)`: the `T × T` kernel is never built. With every token its own
/// landmark the product is `S·S⁺·S·V = S·V`, the exact kernel attention.
///
/// - `query` is `[B, H, T, D]` (also the keys), `value` `[B, H, T, Dv]`, `landmarks` `[B, H, m, D]`
///   (pooled or sampled queries, such as ``averagePooledLandmarks(_:count:)``); the result is
///   `[B, H, T, Dv]`.
public func softmaxFreeAttention(query: Tensor, value: Tensor, landmarks: Tensor, iterations: Int = 20) -> Tensor {
    precondition(query.rank == 4 && value.rank == 4 && landmarks.rank == 4
                 && query.shape[0..<3] == value.shape[0..<3] && landmarks.shape[0..<2] == query.shape[0..<2]
                 && landmarks.shape[3] == query.shape[3],
                 "softmaxFreeAttention: shapes do not fit (query \(query.shape), value \(value.shape), landmarks \(landmarks.shape))")
    let toLandmarks = gaussianAttentionKernel(query, landmarks)
    let amongLandmarks = gaussianAttentionKernel(landmarks, landmarks)
    let inverse = newtonPseudoInverse(amongLandmarks, iterations: iterations)
    return toLandmarks.matmul(inverse).matmul(toLandmarks.transposed().matmul(value))
}

/// `count` bottleneck tokens for ``softmaxFreeAttention(query:value:landmarks:iterations:)``: the means of
/// `count` equal runs of consecutive tokens of `query` `[B, H, T, D]` (average pooling), `[B, H, count, D]`.
public func averagePooledLandmarks(_ query: Tensor, count: Int) -> Tensor {
    precondition(query.rank == 4 && count > 0 && query.shape[2] % count == 0,
                 "averagePooledLandmarks: query \(query.shape) must be [B, H, T, D] with T a multiple of \(count)")
    let (b, h, t, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
    return query.reshaped([b, h, count, t / count, d]).mean(axis: 3)
}
