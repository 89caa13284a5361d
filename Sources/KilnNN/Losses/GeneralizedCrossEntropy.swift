import Kiln

/// The generalized cross-entropy of Zhang & Sabuncu 2018, (1 − p_y^q)/q, a loss robust to noisy
/// labels that runs from the cross-entropy (q → 0) to the mean absolute error 1 − p_y (q = 1).
///
/// p_y is the softmax probability of each row's label (classes on the last axis). The value is
/// computed as −expm1(q·log p_y)/q, accurate down to tiny q.
public func generalizedCrossEntropy(logits: Tensor, labels: Tensor, q: Float = 0.7,
                                    reduction: LossReduction = .mean) -> Tensor {
    precondition(q > 0 && q <= 1, "generalizedCrossEntropy: q must lie in (0, 1], got \(q)")
    let logPy = pickingLabels(logProbabilities(logits), labels, op: "generalizedCrossEntropy")
    return reduction.apply(to: -(q * logPy).expm1() / q)
}

/// The generalized cross-entropy as a callable value.
public struct GeneralizedCrossEntropyLoss {
    public var q: Float
    public var reduction: LossReduction
    /// The loss with exponent `q` in (0, 1] (0.7 by default).
    public init(q: Float = 0.7, reduction: LossReduction = .mean) {
        self.q = q
        self.reduction = reduction
    }
    public func callAsFunction(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        generalizedCrossEntropy(logits: logits, labels: labels, q: q, reduction: reduction)
    }
}
