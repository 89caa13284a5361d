import Kiln

/// The decoupled softmax loss of Gupta et al. 2024 ("Dual-Encoders for Extreme Multi-Label
/// Classification", DEXML): a multi-label cross-entropy in which each positive label competes with
/// the negatives only, never with the row's other positives.
///
/// `logits` are `[N, C]` scores and `targets` the `[N, C]` multi-hot positives (Bool, or Float 0/1).
/// In a row with positives P, each p ∈ P costs
///
///     −log(e^{s_p} / (e^{s_p} + Σ_{n ∉ P} e^{s_n})) = softplus(log Σ_{n ∉ P} e^{s_n} − s_p)
///
/// and the row's loss is the mean over its positives, the normalisation of the authors' released
/// code; with one positive per row it is the softmax cross-entropy. The negatives' log-sum-exp is
/// taken once per row, so logits of any size are safe. A row without positives scores 0, gets no
/// gradient and still counts in `.mean` (as in the authors' code); positives with no negative beside
/// them cost 0. `reduction` applies to the `[N]` per-row losses.
public func decoupledSoftmaxLoss(logits: Tensor, targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
    precondition(logits.dtype == .float32 && logits.rank == 2,
                 "decoupledSoftmaxLoss: logits must be float [N, C], got \(logits.dtype) \(logits.shape)")
    precondition(targets.shape == logits.shape && (targets.dtype == .bool || targets.dtype == .float32),
                 "decoupledSoftmaxLoss: targets must be bool or float \(logits.shape), got \(targets.dtype) \(targets.shape)")
    let positive = targets.dtype == .bool ? targets : targets .== 1
    precondition(targets.dtype == .bool || targets.count == 0 || (positive .| (targets .== 0)).cast(to: .float32).min().item == 1,
                 "decoupledSoftmaxLoss: float targets must be 0 or 1")
    // The most negative finite float takes the positives out of the negatives' sum: its exponential
    // is exactly 0 beside any logit, and a row without negatives stays finite (-inf would make its
    // log-sum-exp gradient 0·NaN).
    let negatives = logits.maskedFill(positive, -.greatestFiniteMagnitude).logSumExp(axis: 1, keepingDims: true)
    let costs = Tensor.where(positive, softplus(negatives - logits), Tensor(0))
    let positives = positive.cast(to: .float32).sum(axis: 1).clamped(min: 1)
    return reduction.apply(to: costs.sum(axis: 1) / positives)
}

/// ``decoupledSoftmaxLoss(logits:targets:reduction:)`` as a callable value.
public struct DecoupledSoftmaxLoss {
    public var reduction: LossReduction

    /// The loss with `reduction` applied to the per-row losses.
    public init(reduction: LossReduction = .mean) { self.reduction = reduction }

    /// The loss of `logits` against the multi-hot `targets`.
    public func callAsFunction(_ logits: Tensor, _ targets: Tensor) -> Tensor {
        decoupledSoftmaxLoss(logits: logits, targets: targets, reduction: reduction)
    }
}
