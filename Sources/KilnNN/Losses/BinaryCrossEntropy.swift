import Kiln

/// Binary cross-entropy of `targets` (probabilities in [0, 1]) under the sigmoid of `logits`,
/// as PyTorch's `binary_cross_entropy_with_logits`.
///
/// Each element is computed in the stable form max(x, 0) − x·y + log(1 + e^−|x|), so large logits
/// neither overflow nor lose precision. With `positiveWeight` p (broadcast along the last axis,
/// one weight per class) the positive term is scaled: (1 − y)·x + (1 + (p − 1)·y)·(log(1 + e^−|x|) + max(−x, 0)).
/// `weight` (broadcastable to `logits`) rescales each element before the reduction.
///
/// - Precondition: `logits` and `targets` have the same shape.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, weight: Tensor? = nil,
                                         positiveWeight: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    precondition(logits.shape == targets.shape,
                 "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ in shape")
    var losses: Tensor
    if let positiveWeight {
        let logWeight = 1 + (positiveWeight - 1) * targets
        losses = (1 - targets) * logits + logWeight * ((-logits.abs()).exp().log1p() + maximum(-logits, Tensor(0)))
    } else {
        losses = softplus(logits) - logits * targets
    }
    if let weight { losses = losses * weight }
    return reduction.apply(to: losses)
}

/// Binary cross-entropy on logits as a callable value (PyTorch's `BCEWithLogitsLoss`).
public struct BCEWithLogitsLoss {
    /// Per-element rescaling, broadcastable to the logits.
    public var weight: Tensor?
    /// Weight of the positive term, one per class (last axis).
    public var positiveWeight: Tensor?
    public var reduction: LossReduction

    public init(weight: Tensor? = nil, positiveWeight: Tensor? = nil, reduction: LossReduction = .mean) {
        self.weight = weight
        self.positiveWeight = positiveWeight
        self.reduction = reduction
    }

    /// The loss of `logits` against `targets`.
    public func callAsFunction(_ logits: Tensor, _ targets: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(logits, targets, weight: weight, positiveWeight: positiveWeight, reduction: reduction)
    }
}
