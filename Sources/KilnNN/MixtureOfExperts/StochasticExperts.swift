import Kiln

/// THOR's consistency-regularized loss (Zuo et al., "Taming Sparsely Activated Transformer with
/// Stochastic Experts", 2022) for two passes of one batch through a model whose mixtures use the
/// ``ExpertGate/stochastic`` gate, so that each pass draws its own experts: the cross-entropy of both
/// passes' `logits` `[N, C]` against `labels` `[N]`, plus `weight` (the paper's α) times the symmetric
/// divergence `½(KL(p₁ ‖ p₂) + KL(p₂ ‖ p₁))` between their predictions, so each expert also learns from
/// the others as teachers.
///
/// The paper's objective `CE₁ + CE₂ + α·CR` is returned halved, `½(CE₁ + CE₂) + ½α·CR`: the same
/// minimizer and, under Adam, the same steps, and its value reads as one pass's cross-entropy.
public func consistencyRegularizedLoss(_ first: Tensor, _ second: Tensor, labels: Tensor, weight: Float) -> Tensor {
    precondition(first.shape == second.shape && first.rank == 2,
                 "consistencyRegularizedLoss: logits \(first.shape) and \(second.shape) must be the same [N, C]")
    let logP1 = first.logSoftmax(axis: -1), logP2 = second.logSoftmax(axis: -1)
    let divergence = 0.5 * (klDivergence(logP2, logP1, logTarget: true, reduction: .batchMean)
                            + klDivergence(logP1, logP2, logTarget: true, reduction: .batchMean))
    let crossEntropies = crossEntropy(logits: first, labels: labels) + crossEntropy(logits: second, labels: labels)
    return 0.5 * (crossEntropies + weight * divergence)
}
