import Kiln

// StableMax (Prieto et al., "Grokking at the Edge of Numerical Stability", 2025): softmax with e^x
// replaced by s(x) = x + 1 for x ≥ 0 and 1/(1 − x) below, which grows linearly instead of
// exponentially, so a large logit gap never rounds the other classes' share to exactly zero.

/// `s(x) = x + 1` for `x ≥ 0`, `1/(1 − x)` for `x < 0`: positive, increasing and continuously differentiable.
public func stablemaxScore(_ x: Tensor) -> Tensor {
    // max(x, 0) + 1/(1 − min(x, 0)): each part is finite everywhere, so no NaN reaches the gradient.
    maximum(x, Tensor(0)) + 1 / (1 - minimum(x, Tensor(0)))
}

/// StableMax along `axis`: `s(x) / Σ s(x)`.
public func stablemax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let s = stablemaxScore(x)
    return s / s.sum(axis: axis, keepingDims: true)
}

/// The log of StableMax along `axis`: `log s(x) − log Σ s(x)`.
public func logStablemax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let s = stablemaxScore(x)
    return s.log() - s.sum(axis: axis, keepingDims: true).log()
}

/// The paper's StableMax cross-entropy: the negative log-likelihood of `labels` under StableMax
/// probabilities, with the options and shapes of ``nllLoss(logProbabilities:labels:classWeights:sampleWeights:ignoreIndex:reduction:)``.
public func stablemaxCrossEntropy(logits: Tensor, labels: Tensor, classWeights: Tensor? = nil,
                                  ignoreIndex: Int = -100, reduction: LossReduction = .mean) -> Tensor {
    nllLoss(logProbabilities: logStablemax(logits, axis: logits.rank == 1 ? 0 : 1), labels: labels,
            classWeights: classWeights, ignoreIndex: ignoreIndex, reduction: reduction)
}
