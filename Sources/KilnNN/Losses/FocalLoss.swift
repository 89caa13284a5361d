import Kiln

/// The focal loss of Lin et al. 2017 for softmax classifiers: −α_y·(1 − p_y)^γ·log p_y per row.
///
/// p_y is the softmax probability of the row's label (classes on the last axis). `alpha`, if
/// given, holds one weight per class; γ = 0 without `alpha` is the cross-entropy. 1 − p_y is
/// computed as −expm1(log p_y), so confident rows keep their precision.
public func focalLoss(logits: Tensor, labels: Tensor, gamma: Float = 2, alpha: Tensor? = nil,
                      reduction: LossReduction = .mean) -> Tensor {
    precondition(gamma >= 0, "focalLoss: gamma must not be negative, got \(gamma)")
    let logPy = pickingLabels(logProbabilities(logits), labels, op: "focalLoss")
    var losses = -logPy
    if gamma != 0 { losses = losses * (-logPy.expm1()).pow(gamma) }
    if let alpha {
        let classes = logits.shape[logits.rank - 1]
        precondition(alpha.shape == [classes], "focalLoss: alpha must have shape [\(classes)], got \(alpha.shape)")
        losses = losses * alpha.indexSelect(axis: 0, indices: labels.reshaped([-1])).reshaped(labels.shape)
    }
    return reduction.apply(to: losses)
}

/// The focal loss for independent binary (sigmoid) outputs, as torchvision's `sigmoid_focal_loss`:
/// BCE(x, y)·(1 − p_t)^γ with p_t = p·y + (1 − p)·(1 − y), p = σ(x), times
/// α_t = α·y + (1 − α)·(1 − y) when `alpha` is given (torchvision's default 0.25; nil leaves it out).
///
/// The default reduction is `.none`, as torchvision's.
public func sigmoidFocalLoss(logits: Tensor, targets: Tensor, alpha: Float? = 0.25, gamma: Float = 2,
                             reduction: LossReduction = .none) -> Tensor {
    let ce = binaryCrossEntropyWithLogits(logits, targets, reduction: .none)
    let p = logits.sigmoid()
    let pt = p * targets + (1 - p) * (1 - targets)
    var losses = gamma == 0 ? ce : ce * (1 - pt).pow(gamma)
    if let alpha { losses = losses * (alpha * targets + (1 - alpha) * (1 - targets)) }
    return reduction.apply(to: losses)
}

/// The softmax focal loss as a callable value.
public struct FocalLoss {
    public var gamma: Float
    /// One weight per class, or nil.
    public var alpha: Tensor?
    public var reduction: LossReduction
    /// The loss with focusing exponent `gamma` (γ ≥ 0) and optional per-class weights `alpha` `[C]`.
    public init(gamma: Float = 2, alpha: Tensor? = nil, reduction: LossReduction = .mean) {
        self.gamma = gamma
        self.alpha = alpha
        self.reduction = reduction
    }
    public func callAsFunction(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        focalLoss(logits: logits, labels: labels, gamma: gamma, alpha: alpha, reduction: reduction)
    }
}
