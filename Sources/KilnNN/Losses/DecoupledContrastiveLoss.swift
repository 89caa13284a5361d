import Kiln

/// The decoupled contrastive loss (DCL) of Yeh et al. 2022 ("Decoupled Contrastive Learning"):
/// InfoNCE with the positive pair taken out of the denominator.
///
/// `first` and `second` are `[N, D]` embeddings of N samples under two views; row i of each is a
/// positive pair. With cosine similarities sim and temperature τ, each of the 2N anchors z_i^(k)
/// contributes
///
///     −sim(z_i^(1), z_i^(2))/τ + log Σ_{l ∈ {1,2}, j ≠ i} exp(sim(z_i^(k), z_j^(l))/τ)
///
/// (its negatives are the other N − 1 samples in both views), and the loss is the mean over the 2N
/// anchors. Unlike InfoNCE it is not bounded below by 0 and needs N ≥ 2.
///
/// Not to be confused with the decoupled softmax loss of DEXML, a multi-label classification loss:
/// ``decoupledSoftmaxLoss(logits:targets:reduction:)``.
public func decoupledContrastiveLoss(_ first: Tensor, _ second: Tensor, temperature: Float = 0.1) -> Tensor {
    precondition(first.rank == 2 && first.shape == second.shape && first.shape[0] >= 2,
                 "decoupledContrastiveLoss: expects two [N, D] embeddings with N ≥ 2, got \(first.shape) and \(second.shape)")
    precondition(temperature > 0, "decoupledContrastiveLoss: temperature must be positive, got \(temperature)")
    let n = first.shape[0]
    let a = first / first.norm(axis: 1, keepingDims: true)
    let b = second / second.norm(axis: 1, keepingDims: true)
    let positives = (a * b).sum(axis: 1) / temperature
    let all = Tensor.concatenate([a, b], axis: 0)
    let similarities = all.matmul(all.T) / temperature
    // Anchor r = k·N + i excludes itself and its positive: every column c with c % N == i.
    let excluded = Tensor((0..<(4 * n * n)).map { ($0 / (2 * n)) % n == ($0 % (2 * n)) % n }, shape: [2 * n, 2 * n])
    let denominators = similarities.maskedFill(excluded, -.infinity).logSumExp(axis: 1)
    return denominators.mean() - positives.mean()
}
