import Kiln

/// Binary cross-entropy of `targets` under `probabilities` in [0, 1], as PyTorch's
/// `binary_cross_entropy`: −w·(y·log p + (1 − y)·log(1 − p)), each logarithm clamped at −100 so that
/// p = 0 or 1 costs at most 100, log(1 − p) taken as log1p(−p).
///
/// The gradient with respect to p is PyTorch's w·(p − y)/max(p·(1 − p), 1e-12): finite where a
/// saturated sigmoid gives p = 0 or 1, where the clamped logarithms' own derivative would be 0/0.
/// ``binaryCrossEntropyWithLogits(_:_:weight:positiveWeight:reduction:)`` is the stable choice when
/// the probabilities come from a sigmoid. `weight` (broadcastable to `probabilities`) rescales each
/// element before the reduction.
///
/// - Precondition: `probabilities` and `targets` have the same shape, and every probability is in [0, 1].
public func binaryCrossEntropy(probabilities: Tensor, targets: Tensor, weight: Tensor? = nil,
                               reduction: LossReduction = .mean) -> Tensor {
    precondition(probabilities.shape == targets.shape,
                 "binaryCrossEntropy: probabilities \(probabilities.shape) and targets \(targets.shape) differ in shape")
    let p = probabilities.detached()
    precondition(p.count == 0 || (p.min().item >= 0 && p.max().item <= 1),
                 "binaryCrossEntropy: probabilities must lie in [0, 1], found [\(p.min().item), \(p.max().item)]")
    let (logP, logNotP, slope) = withoutGradient {
        (p.log().clamped(min: -100), (-p).log1p().clamped(min: -100), (p - targets) / maximum(p * (1 - p), Tensor(1e-12)))
    }
    // The logarithms are constants here, so the targets' gradient is log(1 − p) − log p with both
    // clamped (finite at p = 0 or 1, where PyTorch's is ±inf); the last term is 0 in value and carries
    // the probabilities' gradient.
    var losses = -(targets * logP + (1 - targets) * logNotP) + (probabilities - p) * slope
    if let weight { losses = losses * weight }
    return reduction.apply(to: losses)
}

/// Binary cross-entropy on probabilities as a callable value (PyTorch's `BCELoss`).
public struct BCELoss {
    /// Per-element rescaling, broadcastable to the probabilities.
    public var weight: Tensor?
    public var reduction: LossReduction

    /// The loss with an optional per-element `weight`, broadcastable to the probabilities; PyTorch's defaults.
    public init(weight: Tensor? = nil, reduction: LossReduction = .mean) {
        self.weight = weight
        self.reduction = reduction
    }

    /// The loss of `probabilities` against `targets`.
    public func callAsFunction(_ probabilities: Tensor, _ targets: Tensor) -> Tensor {
        binaryCrossEntropy(probabilities: probabilities, targets: targets, weight: weight, reduction: reduction)
    }
}

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

    /// The loss with an optional per-element `weight` and per-class `positiveWeight`; PyTorch's defaults.
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
