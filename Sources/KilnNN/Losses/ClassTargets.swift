import Kiln

/// The class layout shared by the class losses: PyTorch's `[C]`, `[N, C]` or `[N, C, d₁, …]` scores
/// with class-index labels of the batch shape or probability targets of the scores' shape, brought to
/// `[rows, C]` with the classes last.
struct ClassTargets {
    /// The scores as `[rows, C]`.
    let scores: Tensor
    /// Class-index labels as int64 `[rows]`, or probability targets as float `[rows, C]`.
    let labels: Tensor
    /// The shape of one loss per sample: the scores' shape without the class dimension.
    let batchShape: [Int]
    /// Whether `labels` are class indices (not probabilities).
    let areIndices: Bool

    init(scores: Tensor, labels: Tensor, op: String) {
        precondition(scores.dtype == .float32 && scores.rank >= 1, "\(op): scores must be a float tensor with a class dimension, got \(scores.dtype) \(scores.shape)")
        let classAxis = scores.rank == 1 ? 0 : 1
        let classes = scores.shape[classAxis]
        var batch = scores.shape
        batch.remove(at: classAxis)
        batchShape = batch
        areIndices = labels.dtype == .int64
        precondition(areIndices ? labels.shape == batch : (labels.dtype == .float32 && labels.shape == scores.shape),
                     "\(op): labels must be int64 \(batch) or float \(scores.shape) for scores \(scores.shape), got \(labels.dtype) \(labels.shape)")
        func classesLast(_ t: Tensor) -> Tensor {
            if t.rank <= 2 { return t.reshaped([-1, classes]) }
            return t.permuted([0] + Array(2..<t.rank) + [1]).reshaped([-1, classes])
        }
        self.scores = classesLast(scores)
        self.labels = areIndices ? labels.reshaped([-1]) : classesLast(labels)
    }

    /// The `[rows]` per-sample losses in the batch shape, times `sampleWeights`, reduced; `.mean`
    /// divides by `meanDenominator`.
    func reduce(_ losses: Tensor, sampleWeights: Tensor?, reduction: LossReduction, meanDenominator: Float,
                op: String) -> Tensor {
        var perSample = losses.reshaped(batchShape)
        if let sampleWeights {
            precondition(sampleWeights.dtype == .float32 && sampleWeights.shape == batchShape,
                         "\(op): sample weights must be float \(batchShape), got \(sampleWeights.dtype) \(sampleWeights.shape)")
            perSample = perSample * sampleWeights
        }
        return reduction == .mean ? perSample.sum() / meanDenominator : reduction.apply(to: perSample)
    }

    /// The sum of the class weights of the labelled (not ignored) rows, or their count without weights:
    /// PyTorch's denominator of a mean over class-index labels.
    func labelledWeight(classWeights: Tensor?, ignoreIndex: Int) -> Float {
        let weights = classWeights?.scalars
        var total: Float = 0
        for label in labels.integers where label != ignoreIndex {
            total += weights.map { label >= 0 && label < $0.count ? $0[label] : 0 } ?? 1
        }
        return total
    }
}
