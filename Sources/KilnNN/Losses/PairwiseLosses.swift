import Kiln

// Losses on pairs of inputs with a label y of 1 (the first should rank higher, or the pair is
// similar) or −1 (the opposite), with PyTorch's definitions.

/// max(0, −y·(x₁ − x₂) + margin), as PyTorch's `margin_ranking_loss`: x₁ should exceed x₂ by
/// `margin` where y = 1, and fall below it by `margin` where y = −1.
///
/// - Precondition: `x1`, `x2` and `y` have the same shape.
public func marginRankingLoss(_ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Float = 0,
                              reduction: LossReduction = .mean) -> Tensor {
    precondition(x1.shape == x2.shape && x1.shape == y.shape,
                 "marginRankingLoss: x1 \(x1.shape), x2 \(x2.shape) and y \(y.shape) differ in shape")
    return reduction.apply(to: (margin - y * (x1 - x2)).clamped(min: 0))
}

/// 1 − cos(x₁, x₂) where y = 1 and max(0, cos(x₁, x₂) − margin) where y = −1 (0 for any other y), as
/// PyTorch's `cosine_embedding_loss`.
///
/// `x1` and `x2` are `[N, D]` (or `[D]`) embeddings along the last axis and `y` is `[N]` (or a scalar).
/// The cosine is PyTorch's `Σ x₁x₂ / √((Σ x₁² + ε)(Σ x₂² + ε))` with ε = 1e-12, so a zero embedding
/// gives cosine 0 rather than NaN.
public func cosineEmbeddingLoss(_ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Float = 0,
                                reduction: LossReduction = .mean) -> Tensor {
    precondition(x1.shape == x2.shape && x1.rank >= 1 && y.shape == Array(x1.shape.dropLast()),
                 "cosineEmbeddingLoss: expects x1 and x2 of one shape [..., D] and y of that shape without D, got x1 \(x1.shape), x2 \(x2.shape), y \(y.shape)")
    let axis = x1.rank - 1
    let squared1 = (x1 * x1).sum(axis: axis) + 1e-12, squared2 = (x2 * x2).sum(axis: axis) + 1e-12
    let cosine = (x1 * x2).sum(axis: axis) / (squared1 * squared2).sqrt()
    let zero = Tensor(0)
    let losses = Tensor.where(y .== 1, 1 - cosine, zero) + Tensor.where(y .== -1, (cosine - margin).clamped(min: 0), zero)
    return reduction.apply(to: losses)
}

/// The margin ranking loss as a callable value (PyTorch's `MarginRankingLoss`).
public struct MarginRankingLoss {
    public var margin: Float
    public var reduction: LossReduction

    /// The loss with `margin` (PyTorch's default 0) and `reduction`.
    public init(margin: Float = 0, reduction: LossReduction = .mean) {
        self.margin = margin
        self.reduction = reduction
    }

    public func callAsFunction(_ x1: Tensor, _ x2: Tensor, _ y: Tensor) -> Tensor {
        marginRankingLoss(x1, x2, y, margin: margin, reduction: reduction)
    }
}

/// The cosine embedding loss as a callable value (PyTorch's `CosineEmbeddingLoss`).
public struct CosineEmbeddingLoss {
    public var margin: Float
    public var reduction: LossReduction

    /// The loss with `margin` (PyTorch's default 0) for dissimilar pairs, and `reduction`.
    public init(margin: Float = 0, reduction: LossReduction = .mean) {
        self.margin = margin
        self.reduction = reduction
    }

    public func callAsFunction(_ x1: Tensor, _ x2: Tensor, _ y: Tensor) -> Tensor {
        cosineEmbeddingLoss(x1, x2, y, margin: margin, reduction: reduction)
    }
}
