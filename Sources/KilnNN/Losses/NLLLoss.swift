import Kiln

/// The negative log-likelihood of class-index `labels` under `logProbabilities` (PyTorch's `F.nll_loss`).
///
/// `logProbabilities` are `[C]`, `[N, C]` or `[N, C, d₁, …]` (a log-softmax output); `labels` are int64
/// with the batch shape. Sample `i` scores `−w[yᵢ]·logProbabilities[i, yᵢ]`; samples labelled
/// `ignoreIndex` score 0. `.mean` divides by the sum of the labelled classes' weights (their count
/// without `classWeights`); `sampleWeights` multiply each sample's loss without changing that denominator.
public func nllLoss(logProbabilities: Tensor, labels: Tensor, classWeights: Tensor? = nil, sampleWeights: Tensor? = nil,
                    ignoreIndex: Int = -100, reduction: LossReduction = .mean) -> Tensor {
    precondition(labels.dtype == .int64, "nllLoss: labels must be int64 class indices, got \(labels.dtype)")
    let rows = ClassTargets(scores: logProbabilities, labels: labels, op: "nllLoss")
    let classes = rows.scores.shape[1]
    let weights = classWeights?.scalars
    if let classWeights {
        precondition(classWeights.shape == [classes], "nllLoss: class weights must be [\(classes)], got \(classWeights.shape)")
    }
    // Ignored rows pick class 0 with a coefficient of 0.
    var picks: [Int] = [], coefficients: [Float] = []
    for label in rows.labels.integers {
        let ignored = label == ignoreIndex
        precondition(ignored || (label >= 0 && label < classes), "nllLoss: label \(label) out of range for \(classes) classes")
        picks.append(ignored ? 0 : label)
        coefficients.append(ignored ? 0 : -(weights?[label] ?? 1))
    }
    let picked = rows.scores.gather(axis: 1, index: Tensor(picks, shape: [picks.count, 1])).reshaped([-1])
    let losses = picked * Tensor(coefficients)
    return rows.reduce(losses, sampleWeights: sampleWeights, reduction: reduction,
                       meanDenominator: -coefficients.reduce(0, +), op: "nllLoss")
}
