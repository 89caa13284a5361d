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
    // Each row's −w[y] at its label (0 on ignored rows), as a dense mask: the loss is a masked row sum.
    let labels = rows.labels.integers
    var mask = [Float](repeating: 0, count: labels.count * classes)
    var denominator: Float = 0
    for (i, label) in labels.enumerated() where label != ignoreIndex {
        precondition(label >= 0 && label < classes, "nllLoss: label \(label) out of range for \(classes) classes")
        let w = weights?[label] ?? 1
        mask[i * classes + label] = -w
        denominator += w
    }
    let losses = (rows.scores * Tensor(mask, shape: [labels.count, classes])).sum(axis: 1)
    return rows.reduce(losses, sampleWeights: sampleWeights, reduction: reduction, meanDenominator: denominator,
                       op: "nllLoss")
}
